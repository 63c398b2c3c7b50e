package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"pinggu/jobs"
	"pinggu/store"
)

// healthcheck is for container health checks, where no curl exists: for a
// web process it asks its /healthz; with -deps (a worker) it checks that
// MongoDB and Redis answer.
func healthcheck(ctx context.Context, cfg config, deps bool) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if deps {
		if cfg.MongoURI == "" || cfg.RedisAddr == "" {
			return fmt.Errorf("healthcheck -deps needs PINGGU_MONGO_URI and PINGGU_REDIS_ADDR")
		}
		st, err := store.Open(ctx, store.Config{URI: cfg.MongoURI})
		if err != nil {
			return err
		}
		defer st.Close(context.Background())
		r, err := jobs.OpenRedis(ctx, cfg.RedisAddr, cfg.RedisDB)
		if err != nil {
			return err
		}
		r.Close()
		return nil
	}
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("PINGGU_ADDR %q: %w", cfg.Addr, err)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1:"+port+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %d", resp.StatusCode)
	}
	return nil
}
