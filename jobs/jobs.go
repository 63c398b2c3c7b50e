// Package jobs runs Pinggu's background work on asynq over Redis: the queue
// connection (a real Redis, or an in-process one for the zero-setup mode)
// and the worker. Redis holds only the queue; every schedule can be rebuilt
// from MongoDB, which is why an in-process Redis that keeps nothing is enough.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Redis is the queue's connection: either an address given by the operator
// or an in-process miniredis.
type Redis struct {
	Opt         asynq.RedisClientOpt
	Description string
	stop        func()
}

// OpenRedis connects to addr, or starts an in-process Redis when addr is empty.
func OpenRedis(ctx context.Context, addr string, db int) (*Redis, error) {
	if addr != "" {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db, MaxRetries: -1, DialerRetries: 2})
		defer c.Close()
		if err := c.Ping(ctx).Err(); err != nil {
			return nil, fmt.Errorf("redis at %s does not answer: %w", addr, err)
		}
		return &Redis{Opt: asynq.RedisClientOpt{Addr: addr, DB: db}, Description: fmt.Sprintf("redis %s db %d", addr, db), stop: func() {}}, nil
	}
	mr := miniredis.NewMiniRedis()
	// It listens on loopback, where any local process could reach it: a
	// password made now, known only to this process, keeps them out.
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	password := hex.EncodeToString(secret)
	mr.RequireAuth(password)
	if err := mr.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start in-process redis: %w", err)
	}
	// miniredis never counts TTLs down by itself; without this asynq's
	// locks and heartbeats would never expire.
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				mr.FastForward(now.Sub(last))
				last = now
			}
		}
	}()
	return &Redis{
		Opt:         asynq.RedisClientOpt{Addr: mr.Addr(), Password: password},
		Description: "in-process redis (miniredis, keeps nothing) at " + mr.Addr(),
		stop:        func() { close(done); wg.Wait(); mr.Close() },
	}, nil
}

// RemoteRedis names a Redis without checking that it answers: the web can
// run (and take submissions) while the queue is down, and asynq keeps
// trying to reach it.
func RemoteRedis(addr string, db int) *Redis {
	return &Redis{Opt: asynq.RedisClientOpt{Addr: addr, DB: db}, Description: fmt.Sprintf("redis %s db %d (not answering yet)", addr, db), stop: func() {}}
}

// failFast is a connection that gives up on a command at once when Redis
// does not answer (no retries, one dial): the callers either loop by
// themselves (the worker) or answer a person "try again" (the scheduler).
func (r *Redis) failFast() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: r.Opt.Addr, Username: r.Opt.Username, Password: r.Opt.Password, DB: r.Opt.DB,
		TLSConfig: r.Opt.TLSConfig, MaxRetries: -1, DialerRetries: 1})
}

// Close stops the in-process Redis, if any.
func (r *Redis) Close() { r.stop() }

// Worker processes queued tasks until stopped.
type Worker struct {
	srv *asynq.Server
	mux *asynq.ServeMux
	rc  *redis.Client // closed after the server: asynq does not close a connection it was given
}

// WorkerOptions tune a worker; the zero value is the production setting.
type WorkerOptions struct {
	// RetryDelay replaces asynq's exponential backoff (tests make it short).
	RetryDelay func(n int, err error, t *asynq.Task) time.Duration
	// PollInterval is how often due scheduled and retry tasks are moved to
	// the queue (asynq's default, 5 s, when zero), and, when shorter than
	// asynq's default of 1 s, how often an idle worker looks for new tasks.
	PollInterval time.Duration
}

// NewWorker returns a worker on the queue. Handlers are registered on Mux.
func NewWorker(r *Redis, log *slog.Logger, opts ...WorkerOptions) *Worker {
	var o WorkerOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	var idle time.Duration // asynq's default
	if o.PollInterval > 0 && o.PollInterval < time.Second {
		idle = o.PollInterval
	}
	// The worker's own connection gives up on a command at once when Redis
	// does not answer: asynq's loops try again by themselves, and stopping
	// while Redis is away then takes milliseconds, not seconds of retries.
	rc := r.failFast()
	srv := asynq.NewServerFromRedisClient(rc, asynq.Config{
		Concurrency: 4,
		// Longer than any task should take, so a deploy lets work finish
		// instead of handing it back half done.
		ShutdownTimeout:          60 * time.Second,
		LogLevel:                 asynq.WarnLevel,
		Logger:                   slogAdapter{log},
		RetryDelayFunc:           o.RetryDelay,
		DelayedTaskCheckInterval: o.PollInterval,
		TaskCheckInterval:        idle,
	})
	return &Worker{srv: srv, mux: asynq.NewServeMux(), rc: rc}
}

// Mux is where task handlers are registered before Start.
func (w *Worker) Mux() *asynq.ServeMux { return w.mux }

// Start begins processing in the background.
func (w *Worker) Start() error { return w.srv.Start(w.mux) }

// Shutdown stops taking new tasks, then waits for active ones.
func (w *Worker) Shutdown() {
	w.srv.Stop()
	w.srv.Shutdown()
	w.rc.Close()
}

type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a slogAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
