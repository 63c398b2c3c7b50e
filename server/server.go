// Package server is Pinggu's HTTP layer: one route table, the handlers of
// the survey pages and the JSON API, and the one mapping from domain errors
// to HTTP statuses.
package server

import (
	"context"
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
	"pinggu/auth"
	"pinggu/catalog"
	"pinggu/plans"
	"pinggu/survey"
	"pinggu/templates"
)

// MaxBody is the largest request body accepted, except file uploads
// (MaxUpload).
const (
	MaxBody   = 64 << 10
	MaxUpload = 32 << 20
)

// bodyLimit caps every request body: 64 KB, or 32 MB for the upload routes
// (sheet imports, progress reports with evidence). It runs before routing,
// so nothing reads past it.
func bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	small := middleware.BodyLimit("64K")(next)
	large := middleware.BodyLimit("32M")(next)
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		if c.Request().Method == http.MethodPost && (strings.HasSuffix(p, "/import") || strings.HasSuffix(p, "/progress")) {
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
	Plans     *plans.Service
	Auth      *auth.Service
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
	// BaseURL is the public address of the survey pages, for links and QR codes.
	BaseURL string
	Logger  *slog.Logger
	Now     func() time.Time
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
	plans   *plans.Service
	auth    *auth.Service
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
		reports: d.Reports, plans: d.Plans, auth: d.Auth, store: d.Store}
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

	// The console for administrators, assessors and unit reporters.
	e.GET("/admin/login", s.loginForm)
	e.POST("/admin/login", s.login)
	signedIn := e.Group("/admin", s.requireSession())
	signedIn.GET("", s.consoleHome)
	signedIn.POST("/logout", s.logout)
	staff := e.Group("/admin", s.requireSession(pinggu.RoleAdmin, pinggu.RoleAssessor))
	staff.GET("/rounds/:code", s.consoleRound)
	staff.GET("/reports/:file", s.downloadReport)
	staff.GET("/rounds/:code/units/:unit/qr.png", s.qrPNG)
	staff.GET("/rounds/:code/units/:unit/poster", s.poster)

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
	admin.GET("/plans", s.listPlans)
	admin.POST("/plans", s.createPlan)
	admin.GET("/plans/:plan", s.getPlan)
	admin.POST("/plans/:plan/tasks/import", s.importTasks)
	admin.POST("/units/:code/tokens", s.issueUnitToken)
	admin.POST("/users", s.createUser)
	admin.POST("/progress/:id/review", s.reviewProgress)

	// Unit reporters (a per-unit token) and administrators.
	reporter := api.Group("", s.requireReporter)
	reporter.GET("/plans/:plan/tasks", s.listTasks)
	reporter.POST("/plans/:plan/tasks/:no/progress", s.fileProgress)
	reporter.GET("/plans/:plan/tasks/:no/progress", s.taskProgress)
	reporter.GET("/progress/:id/evidence/:eid", s.downloadEvidence)
}

func (s *Server) healthz(c echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// requireAdmin checks the bearer token against the bootstrap admin token's hash.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.isAdmin(c) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="pinggu"`)
			return errUnauthorized
		}
		c.SetRequest(c.Request().WithContext(pinggu.WithActor(c.Request().Context(), "admin")))
		return next(c)
	}
}

func bearer(c echo.Context) (string, bool) {
	token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	return strings.TrimSpace(token), ok
}

func (s *Server) isAdmin(c echo.Context) bool {
	want, _ := hex.DecodeString(s.cfg.AdminTokenHash)
	token, ok := bearer(c)
	got, _ := hex.DecodeString(pinggu.HashToken(token))
	return ok && len(want) > 0 && subtle.ConstantTimeCompare(got, want) == 1
}

// requireReporter admits the administrator or a unit reporter; for a
// reporter the handlers see its unit (reporterUnit) and act only for it.
func (s *Server) requireReporter(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if s.isAdmin(c) {
			c.SetRequest(c.Request().WithContext(pinggu.WithActor(ctx, "admin")))
			return next(c)
		}
		token, ok := bearer(c)
		if !ok || !strings.HasPrefix(token, "u_") {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="pinggu"`)
			return pinggu.Errorf(pinggu.Unauthorized, "需要管理员令牌或单位填报令牌（Authorization: Bearer …）")
		}
		unit, err := s.plans.UnitOfToken(ctx, token)
		if err != nil {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="pinggu"`)
			return err
		}
		c.Set(reporterKey, unit)
		c.SetRequest(c.Request().WithContext(pinggu.WithActor(ctx, "unit:"+unit)))
		return next(c)
	}
}

const reporterKey = "reporterUnit"

// reporterUnit is the unit of a reporter's request, "" for the administrator.
func reporterUnit(c echo.Context) string {
	u, _ := c.Get(reporterKey).(string)
	return u
}

// HashToken is how administrator tokens are kept (see pinggu.HashToken).
func HashToken(token string) string { return pinggu.HashToken(token) }

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
