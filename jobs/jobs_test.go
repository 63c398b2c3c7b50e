package jobs_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"pinggu/jobs"
)

// The tests own the machine's Redis databases 10–15: each test that needs
// a real Redis takes one for itself, flushed, so tests run in parallel.
var testRedisDBs = func() chan int {
	dbs := make(chan int, 6)
	for db := 10; db <= 15; db++ {
		dbs <- db
	}
	return dbs
}()

// TestMain runs more tests at once than there are cores: most of them wait
// on the queue's polling, not on the CPU. An explicit -parallel wins.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "6")
	}
	// The embedded database allocates a great deal: less garbage
	// collection on two cores (as in the other packages' tests).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(m.Run())
}

// realRedis returns the address of the machine's Redis and a database of
// its own, flushed before and after the test. CI must have one (.ci/run
// starts it); elsewhere the test skips.
func realRedis(t *testing.T) (string, int) {
	t.Helper()
	addr := os.Getenv("PINGGU_TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	db := <-testRedisDBs
	c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		c.Close()
		testRedisDBs <- db
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs a Redis at %s: %v", addr, err)
		}
		t.Skipf("no Redis at %s: %v", addr, err)
	}
	t.Cleanup(func() {
		_ = c.FlushDB(context.Background()).Err()
		c.Close()
		testRedisDBs <- db
	})
	return addr, db
}

// eachRedis runs fn as two parallel subtests: on an in-process Redis and
// on a database of the machine's Redis.
func eachRedis(t *testing.T, fn func(t *testing.T, r *jobs.Redis)) {
	t.Parallel()
	for _, kind := range []string{"in-process", "real"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			addr, db := "", 0
			if kind == "real" {
				addr, db = realRedis(t)
			}
			r, err := jobs.OpenRedis(context.Background(), addr, db)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(r.Close)
			fn(t, r)
		})
	}
}

// TestWorkerRunsTasks enqueues a task on each kind of Redis and checks the
// worker runs it, which proves the connection, the queue and, for the
// in-process Redis, that its clock is advanced so leases work.
func TestWorkerRunsTasks(t *testing.T) {
	eachRedis(t, func(t *testing.T, r *jobs.Redis) {
		w := jobs.NewWorker(r, slog.New(slog.NewTextHandler(io.Discard, nil)))
		got := make(chan string, 1)
		w.Mux().HandleFunc("test:echo", func(_ context.Context, task *asynq.Task) error {
			got <- string(task.Payload())
			return nil
		})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		defer w.Shutdown()
		client := asynq.NewClient(r.Opt)
		defer client.Close()
		if _, err := client.Enqueue(asynq.NewTask("test:echo", []byte("你好")), asynq.TaskID("echo-1")); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-got:
			if p != "你好" {
				t.Fatalf("payload %q", p)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("task not run")
		}
	})
}

func TestOpenRedisReportsAnUnreachableServer(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := jobs.OpenRedis(ctx, "127.0.0.1:1", 0); err == nil {
		t.Fatal("no error for a Redis that does not answer")
	}
}

// The in-process Redis listens on loopback: a process that does not know
// this run's password gets nothing from it.
func TestInProcessRedisWantsItsPassword(t *testing.T) {
	t.Parallel()
	r, err := jobs.OpenRedis(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	stranger := redis.NewClient(&redis.Options{Addr: r.Opt.Addr})
	defer stranger.Close()
	if err := stranger.Keys(context.Background(), "*").Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("a stranger's KEYS: %v", err)
	}
	if len(r.Opt.Password) < 32 {
		t.Fatalf("password %q", r.Opt.Password)
	}
}
