// Command pinggu runs the Pinggu evaluation platform.
//
//	pinggu serve    web server and worker in one process (the default)
//	pinggu web      only the web server
//	pinggu worker   only the background worker
//	pinggu demo     like serve, after loading a realistic sample
//	pinggu token    issue a new bootstrap administrator token
//	pinggu user add --role admin --name NAME   create a console account
//	pinggu healthcheck [-deps]  exit 0 when the server (or, with -deps, MongoDB and Redis) answers
//
// Without PINGGU_MONGO_URI and PINGGU_REDIS_ADDR it runs on an embedded
// FerretDB (SQLite files under PINGGU_DATA_DIR) and an in-process Redis.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	_ "time/tzdata" // round time zones must load in a scratch container too

	"pinggu/report"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "pinggu:", err)
		}
		os.Exit(1)
	}
}

// config is the whole configuration: environment first, flags override.
type config struct {
	Addr       string
	DataDir    string
	MongoURI   string
	RedisAddr  string
	RedisDB    int
	AdminToken string
	BaseURL    string
	Org        string // the organisation named as the author of every workbook
	TrustProxy bool
	Verbose    bool
	Responses  int
	Deps       bool
	PprofAddr  string // an opt-in profiling listener, loopback only
}

const usage = `usage: pinggu [serve|web|worker|demo|token|user|healthcheck] [flags]

  serve   web server and worker in one process (default)
  web     web server only
  worker  background worker only
  demo    load a realistic sample, then serve it
  token   issue a new bootstrap administrator token (restart the server after)
  user add --role admin|assessor|reporter --name NAME [--unit CODE]
          create a console account (password asked on the terminal, or read from stdin)
  bench -url http://HOST/s/ROUND/UNIT [-c 8] [-d 10s] [-json] [-token T]
          drive a running server with virtual respondents; sessions/s, latency, count read back
  repair [-round CODE]
          count the rounds' tallies again from their stored responses (with the server stopped)
  healthcheck  exit 0 when this host's server answers (-deps: MongoDB and Redis)

Environment (flags override): PINGGU_ADDR, PINGGU_DATA_DIR, PINGGU_MONGO_URI,
PINGGU_REDIS_ADDR, PINGGU_REDIS_DB, PINGGU_ADMIN_TOKEN, PINGGU_BASE_URL,
PINGGU_ORG, PINGGU_TRUST_PROXY, PINGGU_PPROF_ADDR.
`

func parseConfig(cmd string, args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	redisDB, err := strconv.Atoi(env("PINGGU_REDIS_DB", "0"))
	if err != nil {
		return config{}, fmt.Errorf("PINGGU_REDIS_DB: %w", err)
	}
	cfg := config{}
	fs := flag.NewFlagSet("pinggu "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage, "\nFlags:\n"); fs.PrintDefaults() }
	fs.StringVar(&cfg.Addr, "addr", env("PINGGU_ADDR", ":8080"), "listen address")
	fs.StringVar(&cfg.DataDir, "data", env("PINGGU_DATA_DIR", "./data"), "data directory of the embedded database")
	fs.StringVar(&cfg.MongoURI, "mongo", env("PINGGU_MONGO_URI", ""), "MongoDB URI (empty: embedded FerretDB)")
	fs.StringVar(&cfg.RedisAddr, "redis", env("PINGGU_REDIS_ADDR", ""), "Redis address (empty: in-process Redis)")
	fs.IntVar(&cfg.RedisDB, "redis-db", redisDB, "Redis database number")
	fs.StringVar(&cfg.BaseURL, "base-url", env("PINGGU_BASE_URL", ""), "public base URL for printed links")
	fs.StringVar(&cfg.Org, "org", env("PINGGU_ORG", report.DefaultOrg), "the organisation named as author in every workbook, e.g. 南通市法治政府建设第三方评估组")
	fs.BoolVar(&cfg.TrustProxy, "trust-proxy", env("PINGGU_TRUST_PROXY", "") == "true", "take client addresses from X-Forwarded-For")
	fs.BoolVar(&cfg.Verbose, "v", false, "log every request")
	fs.StringVar(&cfg.PprofAddr, "pprof", env("PINGGU_PPROF_ADDR", ""), "profiling listener for operators, loopback only (e.g. 127.0.0.1:6060; empty: off)")
	fs.IntVar(&cfg.Responses, "responses", 1500, "demo: number of sample responses (enough that the smallest unit reaches the minimum sample of 30)")
	fs.BoolVar(&cfg.Deps, "deps", false, "healthcheck: check MongoDB and Redis instead of the web server")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.PprofAddr != "" {
		host, _, err := net.SplitHostPort(cfg.PprofAddr)
		if ip := net.ParseIP(host); err != nil || host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return config{}, fmt.Errorf("-pprof %q: the profiling listener takes a loopback address only (127.0.0.1:6060)", cfg.PprofAddr)
		}
	}
	cfg.AdminToken = getenv("PINGGU_ADMIN_TOKEN")
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return cfg, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve", "web", "worker", "demo", "token", "healthcheck":
	case "user":
		cfg, err := parseConfig(cmd, nil, getenv, stderr)
		if err != nil {
			return err
		}
		return userCommand(ctx, args, cfg, stdin, stdout, stderr)
	case "bench":
		return benchCommand(ctx, args, stdout, stderr)
	case "repair":
		cfg, err := parseConfig(cmd, nil, getenv, stderr)
		if err != nil {
			return err
		}
		return repairCommand(ctx, args, cfg, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	cfg, err := parseConfig(cmd, args, getenv, stderr)
	if err != nil {
		return err
	}
	if cmd == "healthcheck" {
		return healthcheck(ctx, cfg, cfg.Deps)
	}
	return start(ctx, cmd, cfg, stdout, stderr)
}
