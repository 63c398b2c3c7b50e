// Package server is Pinggu's HTTP layer: one route table (routes.go), the
// handlers of the survey pages, the JSON API and the console, and the one
// mapping from domain errors to HTTP statuses (errors.go).
//
// One file per console action or API resource, named after it: a page is
// shown by its *_show.go or *_list.go (or *_edit.go for a form) and changed
// by its *_save.go or *_action.go; API resources are api_*.go; the survey's
// pages are survey_form.go and survey_submit.go. Who may do what is one
// table (access.go) read by the routes and the pages alike (auth.go).
package server

import (
	"context"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"pinggu"
	"pinggu/assessment"
	"pinggu/auth"
	"pinggu/catalog"
	"pinggu/metrics"
	"pinggu/midterm"
	"pinggu/quality"
	"pinggu/rounds"
	"pinggu/store"
	"pinggu/survey"
	"pinggu/templates"
)

// MaxBody is the largest request body accepted, except file uploads
// (MaxUpload).
const (
	MaxBody   = 64 << 10
	MaxUpload = 32 << 20
)

// bodyLimit caps every request body: 64 KB, or 32 MB for the routes the
// route table marks as uploads. It is the first middleware after routing,
// so nothing has read the body yet.
func (s *Server) bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	small := middleware.BodyLimit("64K")(next)
	large := middleware.BodyLimit("32M")(next)
	return func(c echo.Context) error {
		if s.uploads[c.Request().Method+" "+c.Path()] {
			return large(c)
		}
		return small(c)
	}
}

// upload marks a route as taking files, up to MaxUpload.
func (s *Server) upload(r *echo.Route) { s.uploads[r.Method+" "+r.Path] = true }

// Pinger tells whether the store answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Scheduler queues jobs asked for now (the jobs package's Scheduler).
type Scheduler interface {
	CompileNow(ctx context.Context, code string) (string, error)
	ExportNow(ctx context.Context, code string) (string, error)
	LedgerNow(ctx context.Context, code string) (string, error)
}

// Reports reads stored reports and job records.
type Reports interface {
	Reports(ctx context.Context, round string) ([]pinggu.Report, error)
	OpenReport(ctx context.Context, id string) (*pinggu.Report, io.ReadCloser, error)
	Jobs(ctx context.Context, round string, limit int) ([]pinggu.Job, error)
	AuditLog(ctx context.Context, f store.AuditFilter) ([]pinggu.AuditEntry, error)
	Invitations(ctx context.Context, round, unit string) (codes []string, usedBy map[string]string, err error)
}

// Deps are the services the handlers call.
type Deps struct {
	Survey     *survey.Service
	Catalog    *catalog.Service
	Assessment *assessment.Service
	Rounds     *rounds.Service
	Scheduler  Scheduler
	Reports    Reports
	Midterm    *midterm.Service
	Auth       *auth.Service
	Quality    *quality.Service
	Store      Pinger
}

// Config holds what the HTTP layer needs to know about its deployment.
type Config struct {
	// AdminTokenHash is the hex SHA-256 of the bootstrap administrator token.
	AdminTokenHash string
	// SecureCookies marks cookies Secure (set when served over HTTPS).
	SecureCookies bool
	// TrustProxy takes the client address from X-Forwarded-For, for
	// deployments behind a reverse proxy; otherwise the peer address is used.
	TrustProxy bool
	// BaseURL is the public address of the survey pages, for links and QR codes.
	BaseURL string
	Logger  *slog.Logger
	Now     func() time.Time
	// Metrics, when set, records requests, submissions and errors and is
	// served at /metrics to administrators.
	Metrics *metrics.Metrics
}

// Server is the HTTP server; Handler returns what to serve.
type Server struct {
	cfg        Config
	echo       *echo.Echo
	pages      *template.Template
	survey     *survey.Service
	catalog    *catalog.Service
	assessment *assessment.Service
	rounds     *rounds.Service
	sched      Scheduler
	reports    Reports
	midterm    *midterm.Service
	auth       *auth.Service
	quality    *quality.Service
	store      Pinger
	uploads    map[string]bool // "POST /path/:param" of the routes that take files; set by routes()
	fresh      *pageCache      // fresh survey pages, rendered once per unit
}

// New builds the server and its routes. It fails if a template does not parse.
func New(cfg Config, d Deps) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	pages, err := parsePages(templates.FS)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect()
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s := &Server{cfg: cfg, echo: e, pages: pages, survey: d.Survey, catalog: d.Catalog, assessment: d.Assessment, rounds: d.Rounds, sched: d.Scheduler,
		reports: d.Reports, midterm: d.Midterm, auth: d.Auth, quality: d.Quality, store: d.Store, uploads: map[string]bool{}, fresh: newPageCache()}
	e.HTTPErrorHandler = s.handleError
	e.Use(s.bodyLimit, middleware.RequestID(), middleware.Recover(), securityHeaders, s.accessLog)
	s.routes()
	return s, nil
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

func (s *Server) healthz(c echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		d := time.Since(start)
		s.cfg.Metrics.Request(c.Path(), c.Request().Method, c.Response().Status, d)
		s.cfg.Logger.Debug("request", "method", c.Request().Method, "path", c.Path(),
			"status", c.Response().Status, "ms", d.Milliseconds(),
			"id", c.Response().Header().Get(echo.HeaderXRequestID))
		return nil
	}
}

// contentSecurityPolicy fits the pages as they are: everything from this
// origin, inline styles and the console's one inline script, QR codes as
// data: images, and no page may be framed by another site (the
// questionnaire preview is a srcdoc frame of our own).
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
	"script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

// securityHeaders go on every response: no framing by other sites
// (clickjacking), no content sniffing, and no survey or console address
// leaking to other sites in a Referer.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		return next(c)
	}
}
