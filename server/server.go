// Package server is Pinggu's HTTP layer: one route table, the handlers of
// the survey pages and the JSON API, and the one mapping from domain errors
// to HTTP statuses.
package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"pinggu"
	"pinggu/catalog"
	"pinggu/survey"
	"pinggu/templates"
)

// MaxBody is the largest request body accepted, except file uploads
// (MaxUpload).
const (
	MaxBody   = 64 << 10
	MaxUpload = 8 << 20
)

// bodyLimit caps every request body: 64 KB, or 8 MB for the few upload
// routes (…/import). It runs before routing, so nothing reads past it.
func bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	small := middleware.BodyLimit("64K")(next)
	large := middleware.BodyLimit("8M")(next)
	return func(c echo.Context) error {
		if strings.HasSuffix(c.Request().URL.Path, "/import") {
			return large(c)
		}
		return small(c)
	}
}

// Pinger tells whether the store answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Scheduler queues a round's jobs (the jobs package's Scheduler).
type Scheduler interface {
	Schedule(ctx context.Context, code string) (*pinggu.Round, error)
	Cancel(ctx context.Context, code string) (*pinggu.Round, error)
	Sync(ctx context.Context, r *pinggu.Round) error
	CompileNow(ctx context.Context, code string) (string, error)
	ExportNow(ctx context.Context, code string) (string, error)
}

// Reports reads stored reports and job records.
type Reports interface {
	Reports(ctx context.Context, round string) ([]pinggu.Report, error)
	OpenReport(ctx context.Context, id string) (*pinggu.Report, io.ReadCloser, error)
	Jobs(ctx context.Context, round string, limit int) ([]pinggu.Job, error)
}

// Deps are the services the handlers call.
type Deps struct {
	Survey    *survey.Service
	Catalog   *catalog.Service
	Scheduler Scheduler
	Reports   Reports
	Store     Pinger
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
	Logger     *slog.Logger
	Now        func() time.Time
}

// Server is the HTTP server; Handler returns what to serve.
type Server struct {
	cfg     Config
	echo    *echo.Echo
	pages   *template.Template
	survey  *survey.Service
	catalog *catalog.Service
	sched   Scheduler
	reports Reports
	store   Pinger
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
	s := &Server{cfg: cfg, echo: e, pages: pages, survey: d.Survey, catalog: d.Catalog, sched: d.Scheduler,
		reports: d.Reports, store: d.Store}
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RequestID(), middleware.Recover(), s.accessLog)
	e.Pre(bodyLimit)
	s.routes()
	return s, nil
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

// routes is the one route table of the product.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)

	// Respondents: the survey page of one unit in one round.
	e.GET("/s/:round/:unit", s.surveyForm)
	e.POST("/s/:round/:unit", s.surveySubmit)
	e.GET("/s/:round/:unit/thanks", s.surveyThanks)

	api := e.Group("/api/v1")
	// Respondents' apps and partners submit without an account; the
	// submission id makes retries safe.
	api.POST("/rounds/:round/units/:unit/responses", s.apiSubmit)

	admin := api.Group("", s.requireAdmin)
	admin.GET("/units", s.listUnits)
	admin.POST("/units", s.createUnit)
	admin.GET("/units/:code", s.getUnit)
	admin.PUT("/units/:code", s.updateUnit)
	admin.GET("/questionnaires", s.listQuestionnaires)
	admin.POST("/questionnaires", s.createQuestionnaire)
	admin.GET("/questionnaires/:code", s.getQuestionnaire)
	admin.PUT("/questionnaires/:code", s.reviseQuestionnaire)
	admin.GET("/rounds", s.listRounds)
	admin.POST("/rounds", s.createRound)
	admin.GET("/rounds/:code", s.getRound)
	admin.PUT("/rounds/:code", s.updateRound)
	admin.GET("/rounds/:code/progress", s.roundProgress)
	admin.POST("/rounds/:code/schedule", s.scheduleRound)
	admin.POST("/rounds/:code/cancel", s.cancelRound)
	admin.POST("/rounds/:code/compile", s.compileRound)
	admin.POST("/rounds/:code/export", s.exportRound)
	admin.POST("/rounds/:code/publish", s.publishRound)
	admin.GET("/rounds/:code/reports", s.listReports)
	admin.GET("/reports/:file", s.downloadReport)
	admin.GET("/jobs", s.listJobs)
	admin.GET("/indicator-systems", s.listIndicatorSystems)
	admin.POST("/indicator-systems", s.createIndicatorSystem)
	admin.GET("/indicator-systems/:code", s.getIndicatorSystem)
	admin.PUT("/indicator-systems/:code", s.reviseIndicatorSystem)
	admin.POST("/indicator-systems/:code/import", s.importIndicatorSystem)
	admin.GET("/rounds/:code/units/:unit/inputs", s.listInputs)
	admin.PUT("/rounds/:code/units/:unit/inputs/:indicator", s.setInput)
	admin.POST("/rounds/:code/units/:unit/adjustments", s.addAdjustment)
	admin.DELETE("/rounds/:code/units/:unit/adjustments/:id", s.deleteAdjustment)
}

func (s *Server) healthz(c echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// requireAdmin checks the bearer token against the bootstrap admin token's hash.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	want, _ := hex.DecodeString(s.cfg.AdminTokenHash)
	return func(c echo.Context) error {
		token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if !ok || len(want) == 0 || subtle.ConstantTimeCompare(sum[:], want) != 1 {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="pinggu"`)
			return errUnauthorized
		}
		c.SetRequest(c.Request().WithContext(pinggu.WithActor(c.Request().Context(), "admin")))
		return next(c)
	}
}

// HashToken is how administrator tokens are kept: hex SHA-256. Tokens are
// 256-bit random values, so a fast hash is enough.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.cfg.Logger.Debug("request", "method", c.Request().Method, "path", c.Path(),
			"status", c.Response().Status, "ms", time.Since(start).Milliseconds(),
			"id", c.Response().Header().Get(echo.HeaderXRequestID))
		return nil
	}
}
