package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"pinggu/jobs"
)

// testRedisDB is the Redis database the tests own and flush.
const testRedisDB = 11

// realRedis returns the address of the machine's Redis, flushing the test
// database. CI must have one (.ci/run starts it); elsewhere the test skips.
func realRedis(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("PINGGU_TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	c := redis.NewClient(&redis.Options{Addr: addr, DB: testRedisDB})
	defer c.Close()
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs a Redis at %s: %v", addr, err)
		}
		t.Skipf("no Redis at %s: %v", addr, err)
	}
	return addr
}

// TestWorkerRunsTasks enqueues a task on each kind of Redis and checks the
// worker runs it, which proves the connection, the queue and, for the
// in-process Redis, that its clock is advanced so leases work.
func TestWorkerRunsTasks(t *testing.T) {
	for _, kind := range []string{"in-process", "real"} {
		t.Run(kind, func(t *testing.T) {
			addr := ""
			if kind == "real" {
				addr = realRedis(t)
			}
			ctx := context.Background()
			r, err := jobs.OpenRedis(ctx, addr, testRedisDB)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
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
}

func TestOpenRedisReportsAnUnreachableServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := jobs.OpenRedis(ctx, "127.0.0.1:1", 0); err == nil {
		t.Fatal("no error for a Redis that does not answer")
	}
}
