package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"pinggu"
	"pinggu/auth"
	"pinggu/catalog"
	"pinggu/demo"
	"pinggu/jobs"
	"pinggu/plans"
	"pinggu/rounds"
	"pinggu/server"
	"pinggu/store"
	"pinggu/survey"
)

// start wires the product for cmd and runs it until ctx ends. ln, when not
// nil, is the listener to serve on (tests pass one on a random port).
func start(ctx context.Context, cmd string, cfg config, ln net.Listener, stdout, stderr io.Writer) error {
	level := slog.LevelInfo
	if cfg.Verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	st, err := store.Open(ctx, store.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: logger})
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	logger.Info("store ready", "backend", st.Backend())

	sec, err := st.Secrets(ctx)
	if err != nil {
		return err
	}
	tokenHash, err := adminToken(ctx, cmd, cfg, st, sec, stdout)
	if err != nil || cmd == "token" {
		return err
	}
	now := time.Now
	sv := survey.New(st, now, sec.FormKey, sec.IPSalt, logger)
	cat := catalog.New(st, now)

	// Every mode needs the queue: the web enqueues, the worker runs.
	redis, err := jobs.OpenRedis(ctx, cfg.RedisAddr, cfg.RedisDB)
	if err != nil && cfg.RedisAddr != "" {
		// Submissions do not need the queue; scheduling waits for it.
		logger.Warn("redis does not answer: surveys keep working, jobs wait until it does", "err", err)
		redis, err = jobs.RemoteRedis(cfg.RedisAddr, cfg.RedisDB), nil
	}
	if err != nil {
		return err
	}
	defer redis.Close()
	logger.Info("queue ready", "redis", redis.Description)
	sched := jobs.NewScheduler(redis, st, now, logger)
	defer sched.Close()
	lifecycle := rounds.New(st, sched, sv, now)

	if cmd == "demo" {
		res, err := demo.Load(pinggu.WithActor(ctx, "demo"), cat, lifecycle, sv, now(), cfg.Responses)
		if err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
		fmt.Fprintf(stdout, "demo: round %s loaded, %d new responses stored\n", res.Round.Code, res.Submitted)
	}

	if cmd != "web" {
		w := jobs.NewWorker(redis, logger)
		jobs.NewHandlers(st, sched, lifecycle, jobs.NewCompiler(st, now), now, logger).Register(w.Mux())
		if err := w.Start(); err != nil {
			return fmt.Errorf("start worker: %w", err)
		}
		defer w.Shutdown()
		// Redis may have lost everything (the in-process one always has):
		// rebuild every pending task from the rounds in MongoDB, retrying
		// in the background while Redis is away.
		go sched.ReconcileUntilDone(ctx, 30*time.Second)
	}
	if cmd == "worker" {
		<-ctx.Done()
		return nil
	}

	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return err
		}
	}
	base := cfg.BaseURL
	if base == "" {
		base = localURL(ln.Addr())
	}
	srv, err := server.New(server.Config{AdminTokenHash: tokenHash, SecureCookies: strings.HasPrefix(base, "https://"),
		TrustProxy: cfg.TrustProxy, BaseURL: base, Logger: logger, Now: now},
		server.Deps{Survey: sv, Catalog: cat, Rounds: lifecycle, Scheduler: sched, Reports: st, Plans: plans.New(st, now),
			Auth: auth.New(st, now, auth.Policy{}), Quality: survey.NewQuality(st, now), Store: st})
	if err != nil {
		return err
	}
	if err := printLinks(ctx, cat, base, now(), stdout); err != nil {
		return err
	}
	return serveHTTP(ctx, srv.Handler(), ln, base, logger)
}

// serveHTTP serves until ctx ends, then lets requests in flight finish.
func serveHTTP(ctx context.Context, h http.Handler, ln net.Listener, base string, logger *slog.Logger) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "url", base)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// adminToken decides the bootstrap administrator token and returns its hash.
// A token from the environment wins; otherwise one is issued at first start
// (and by demo and token) and printed once, and only its hash is kept.
func adminToken(ctx context.Context, cmd string, cfg config, st *store.Store, sec *store.Secrets, out io.Writer) (string, error) {
	if cfg.AdminToken != "" {
		if cmd == "token" {
			return "", errors.New("PINGGU_ADMIN_TOKEN is set: change the token there")
		}
		fmt.Fprintln(out, "admin token: taken from PINGGU_ADMIN_TOKEN")
		return server.HashToken(cfg.AdminToken), nil
	}
	if sec.AdminTokenHash != "" && cmd != "token" && cmd != "demo" {
		if cmd != "worker" {
			fmt.Fprintln(out, "admin token: issued at first start and kept only as a hash; `pinggu token` issues a new one")
		}
		return sec.AdminTokenHash, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b)
	hash := server.HashToken(token)
	if err := st.SetAdminTokenHash(ctx, hash); err != nil {
		return "", err
	}
	fmt.Fprintf(out, "admin token: %s\n  (shown once, kept only as a hash; use it as Authorization: Bearer <token>)\n", token)
	return hash, nil
}

// printLinks prints the survey URL of every unit of each round not yet closed.
func printLinks(ctx context.Context, cat *catalog.Service, base string, now time.Time, out io.Writer) error {
	rounds, err := cat.Rounds(ctx)
	if err != nil {
		return err
	}
	units, err := cat.Units(ctx)
	if err != nil {
		return err
	}
	names := pinggu.UnitNames(units)
	for _, r := range rounds {
		phase := r.PhaseAt(now)
		if phase == pinggu.Over {
			continue
		}
		state := "open"
		if phase == pinggu.Upcoming {
			state = "opens " + r.OpensAt.In(r.Location()).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(out, "survey links of round %s (%s, %s):\n", r.Code, r.Title, state)
		for _, u := range r.Units {
			fmt.Fprintf(out, "  %s/s/%s/%s  %s\n", base, r.Code, u, names[u])
		}
	}
	return nil
}

// localURL turns a listen address into a URL a person on this machine can open.
func localURL(a net.Addr) string {
	_, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	return "http://localhost:" + port
}
