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
	"net/http/pprof"
	"strings"
	"time"

	"pinggu"
	"pinggu/assessment"
	"pinggu/auth"
	"pinggu/catalog"
	"pinggu/jobs"
	"pinggu/metrics"
	"pinggu/midterm"
	"pinggu/quality"
	"pinggu/rounds"
	"pinggu/server"
	"pinggu/store"
	"pinggu/survey"
)

// app is the product wired once: `pinggu` runs it, and the end-to-end and
// browser tests build the same value with their own clock and listener
// instead of wiring the product by hand.
type app struct {
	cmd       string
	cfg       config
	now       func() time.Time // every time-dependent rule reads it
	log       *slog.Logger
	out       io.Writer
	tokenHash string
	demo      *demoAccess // the demo's kept token and account (demo without PINGGU_ADMIN_TOKEN)
	worker    jobs.WorkerOptions

	store   *store.Store
	redis   *jobs.Redis
	sched   *jobs.Scheduler
	metrics *metrics.Metrics
	survey  *survey.Service
	catalog *catalog.Service
	rounds  *rounds.Service
	closers []func() // in reverse on close
}

// appOptions are what a test may change; the zero value is the product's.
type appOptions struct {
	Now            func() time.Time // default time.Now
	Stdout, Stderr io.Writer
	Worker         jobs.WorkerOptions
}

// newApp opens the store and the queue and builds the services for cmd.
// On an error it closes what it had opened.
func newApp(ctx context.Context, cmd string, cfg config, o appOptions) (a *app, err error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	level := slog.LevelInfo
	if cfg.Verbose {
		level = slog.LevelDebug
	}
	a = &app{cmd: cmd, cfg: cfg, now: o.Now, out: o.Stdout, worker: o.Worker,
		log: slog.New(slog.NewTextHandler(o.Stderr, &slog.HandlerOptions{Level: level}))}
	built := a // the returns below may set a to nil
	defer func() {
		if err != nil {
			built.close()
		}
	}()
	if a.store, err = store.Open(ctx, store.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, Logger: a.log}); err != nil {
		if errors.Is(err, store.ErrDataInUse) {
			return nil, fmt.Errorf("another pinggu already serves the data folder %s: stop it, or give this one another (-data): %w", cfg.DataDir, err)
		}
		return nil, err
	}
	a.closers = append(a.closers, func() { a.store.Close(context.Background()) })
	a.log.Info("store ready", "backend", a.store.Backend())
	sec, err := a.store.Secrets(ctx)
	if err != nil {
		return nil, err
	}
	if cmd == "demo" && cfg.AdminToken == "" {
		if a.demo, err = demoToken(ctx, cfg.DataDir, a.store, sec, a.out); err != nil {
			return a, err
		}
		a.tokenHash = server.HashToken(a.demo.Token)
	} else if a.tokenHash, err = adminToken(ctx, cmd, cfg, a.store, sec, a.out); err != nil || cmd == "token" {
		return a, err
	}
	a.survey = survey.New(a.store, a.now, sec.FormKey, sec.IPSalt, a.log)
	a.catalog = catalog.New(a.store, a.now)

	// Every mode needs the queue: the web enqueues, the worker runs.
	a.redis, err = jobs.OpenRedis(ctx, cfg.RedisAddr, cfg.RedisDB)
	if err != nil && cfg.RedisAddr != "" {
		// Submissions do not need the queue; scheduling waits for it.
		a.log.Warn("redis does not answer: surveys keep working, jobs wait until it does", "err", err)
		a.redis, err = jobs.RemoteRedis(cfg.RedisAddr, cfg.RedisDB), nil
	}
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.redis.Close)
	a.log.Info("queue ready", "redis", a.redis.Description)
	a.sched = jobs.NewScheduler(a.redis, a.store, a.now, a.log)
	a.closers = append(a.closers, a.sched.Close)
	a.metrics = metrics.New()
	a.metrics.QueueDepth(a.sched.QueueSizes)
	a.survey.ObserveBatches(a.metrics.Batch)
	a.rounds = rounds.New(a.store, a.sched, a.survey, a.now)
	return a, nil
}

// close releases what newApp opened, the store last.
func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// run loads the demo (for demo), starts the worker (but for web) and
// serves HTTP (but for worker) until ctx ends. ln, when not nil, is the
// listener to serve on (tests pass one on a random port).
func (a *app) run(ctx context.Context, ln net.Listener) error {
	if a.cmd == "token" {
		return nil
	}
	if a.cmd == "demo" {
		if err := a.loadDemo(ctx); err != nil {
			return fmt.Errorf("load demo: %w", err)
		}
	}
	if a.cmd == "serve" || a.cmd == "demo" {
		// One process takes every submission here, and none is taken yet:
		// after a run that did not stop cleanly (it may have died between
		// storing a response and counting it), count the open rounds'
		// tallies again from their responses.
		clean, err := a.store.Started(ctx)
		if err != nil {
			return err
		}
		defer a.store.Stopped(context.WithoutCancel(ctx))
		if !clean {
			if err := a.rebuildOpenRounds(ctx); err != nil {
				return err
			}
		}
	}
	if a.cmd != "web" {
		w := jobs.NewWorker(a.redis, a.log, a.worker)
		compiler := jobs.NewCompiler(a.store, a.now)
		compiler.Org = a.cfg.Org
		h := jobs.NewHandlers(a.store, a.sched, a.rounds, compiler, a.now, a.log)
		h.Observe(a.metrics.Job)
		h.Register(w.Mux())
		if err := w.Start(); err != nil {
			return fmt.Errorf("start worker: %w", err)
		}
		defer w.Shutdown()
		// Redis may have lost everything (the in-process one always has):
		// rebuild every pending task from the rounds in MongoDB, retrying
		// in the background while Redis is away.
		go a.sched.ReconcileUntilDone(ctx, 30*time.Second)
	}
	if a.cfg.PprofAddr != "" {
		if err := a.servePprof(ctx); err != nil {
			return err
		}
	}
	if a.cmd == "worker" {
		<-ctx.Done()
		return nil
	}
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", a.cfg.Addr); err != nil {
			return err
		}
	}
	base := a.cfg.BaseURL
	if base == "" {
		base = localURL(ln.Addr())
		reach := "this machine only"
		if lan, ok := lanURL(ln.Addr()); ok {
			base, reach = lan, "phones on this network can open it"
		}
		fmt.Fprintf(a.out, "links below use %s (%s); set PINGGU_BASE_URL (or -base-url) to the public address, e.g. https://pg.example.cn, to serve beyond it\n", base, reach)
	}
	srv, err := a.server(base)
	if err != nil {
		return err
	}
	if a.demo != nil {
		if err := demoAccount(ctx, a.demo, auth.New(a.store, a.now, auth.Policy{}), base, a.out); err != nil {
			return err
		}
	}
	if err := printLinks(ctx, a.catalog, base, a.now(), a.out); err != nil {
		return err
	}
	return serveHTTP(ctx, srv.Handler(), ln, base, a.log)
}

// server builds the HTTP layer on the app's services.
func (a *app) server(base string) (*server.Server, error) {
	return server.New(server.Config{AdminTokenHash: a.tokenHash, SecureCookies: strings.HasPrefix(base, "https://"),
		TrustProxy: a.cfg.TrustProxy, BaseURL: base, Logger: a.log, Now: a.now, Metrics: a.metrics},
		server.Deps{Survey: a.survey, Catalog: a.catalog, Assessment: assessment.New(a.store, a.now), Rounds: a.rounds, Scheduler: a.sched, Reports: a.store,
			Midterm: midterm.New(a.store, a.now), Auth: auth.New(a.store, a.now, auth.Policy{}),
			Quality: quality.New(a.store, a.now), Store: a.store})
}

// start builds the product for cmd and runs it until ctx ends.
func start(ctx context.Context, cmd string, cfg config, stdout, stderr io.Writer) error {
	a, err := newApp(ctx, cmd, cfg, appOptions{Stdout: stdout, Stderr: stderr})
	if err != nil {
		return err
	}
	defer a.close()
	return a.run(ctx, nil)
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
// (and by token) and printed once, and only its hash is kept. The demo
// keeps its own beside its data (demo_access.go).
func adminToken(ctx context.Context, cmd string, cfg config, st *store.Store, sec *store.Secrets, out io.Writer) (string, error) {
	if cfg.AdminToken != "" {
		if cmd == "token" {
			return "", errors.New("PINGGU_ADMIN_TOKEN is set: change the token there")
		}
		fmt.Fprintln(out, "admin token: taken from PINGGU_ADMIN_TOKEN")
		return server.HashToken(cfg.AdminToken), nil
	}
	if sec.AdminTokenHash != "" && cmd != "token" {
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
		if phase == pinggu.Over || r.Questionnaire == "" { // a mid-term evaluation asks no one
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

// rebuildOpenRounds corrects the tallies of the rounds taking answers.
func (a *app) rebuildOpenRounds(ctx context.Context) error {
	rounds, err := a.catalog.Rounds(ctx)
	if err != nil {
		return err
	}
	for _, r := range rounds {
		if !r.Status.Collecting() {
			continue
		}
		res, err := a.survey.Rebuild(pinggu.WithActor(ctx, "startup"), r.Code)
		if err != nil { // the tallies serve progress, not results: start anyway
			a.log.Error("tallies not rebuilt; run pinggu repair", "round", r.Code, "err", err)
			continue
		}
		for _, f := range res.Fixed {
			a.log.Warn("tally corrected from the responses", "round", r.Code, "unit", f.Unit, "counted", f.Before, "stored", f.After)
		}
	}
	return nil
}

// servePprof starts the opt-in profiling listener (loopback only, checked
// with the flags) until ctx ends.
func (a *app) servePprof(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.PprofAddr)
	if err != nil {
		return fmt.Errorf("pprof listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	go func() {
		<-ctx.Done()
		hs.Close()
	}()
	a.log.Info("profiling", "addr", ln.Addr().String())
	return nil
}
