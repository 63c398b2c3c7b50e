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
	"pinggu/assessment"
	"pinggu/auth"
	"pinggu/catalog"
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
		reports: d.Reports, midterm: d.Midterm, auth: d.Auth, quality: d.Quality, store: d.Store, uploads: map[string]bool{}}
	e.HTTPErrorHandler = s.handleError
	e.Use(s.bodyLimit, middleware.RequestID(), middleware.Recover(), s.accessLog)
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
	signedIn := e.Group("/admin", s.requireSession(signedInAccess))
	signedIn.GET("", s.consoleHome)
	signedIn.POST("/logout", s.logout)
	signedIn.POST("/tokens", s.issueToken)
	signedIn.POST("/tokens/:id/revoke", s.revokeTokenForm)
	signedIn.GET("/plans/:plan/tasks/:no", s.consoleTask)
	s.upload(signedIn.POST("/plans/:plan/tasks/:no/progress", s.fileTaskProgress))
	signedIn.GET("/progress/:id/evidence/:eid", s.consoleEvidence)
	consoleStaff := e.Group("/admin", s.requireSession(staffAccess))
	consoleStaff.GET("/rounds/:code", s.consoleRound)
	consoleStaff.GET("/reports/:file", s.downloadReport)
	consoleStaff.GET("/rounds/:code/units/:unit/qr.png", s.qrPNG)
	consoleStaff.GET("/rounds/:code/units/:unit/poster", s.poster)
	consoleStaff.POST("/rounds/:code/action", s.roundAction)
	consoleStaff.GET("/rounds/:code/progress.json", s.progressJSON)
	consoleStaff.GET("/rounds/:code/units/:unit/flagged", s.consoleFlagged)
	consoleStaff.POST("/rounds/:code/units/:unit/flagged", s.flaggedAction)
	consoleStaff.GET("/reports", s.consoleReports)
	consoleStaff.GET("/plans", s.consolePlans)
	consoleStaff.GET("/rounds/:code/units/:unit/review", s.consoleReview)
	consoleStaff.POST("/rounds/:code/units/:unit/review", s.reviewAction)
	consoleStaff.POST("/plans/:plan/tasks/:no/review", s.reviewTaskProgress)
	consoleStaff.GET("/rounds/:code/import", s.consoleImport)
	s.upload(consoleStaff.POST("/rounds/:code/import", s.importOffline))
	consoleStaff.GET("/rounds/:code/units/:unit/invitations.xlsx", s.invitationsXLSX)
	consoleAdmin := e.Group("/admin", s.requireSession(adminAccess))
	consoleAdmin.GET("/audit", s.consoleAudit)
	consoleAdmin.GET("/units", s.consoleUnits)
	consoleAdmin.POST("/units", s.saveUnit)
	s.upload(consoleAdmin.POST("/units/import", s.importUnits))
	consoleAdmin.GET("/questionnaires", s.consoleQuestionnaires)
	consoleAdmin.GET("/questionnaires/edit", s.editQuestionnaire)
	consoleAdmin.POST("/questionnaires/edit", s.saveQuestionnaire)
	consoleAdmin.GET("/indicator-systems", s.consoleIndicators)
	s.upload(consoleAdmin.POST("/indicator-systems", s.uploadIndicators))
	consoleAdmin.POST("/plans", s.savePlan)
	s.upload(consoleAdmin.POST("/plans/:plan/tasks", s.uploadTasks))
	consoleAdmin.POST("/rounds/:code/invitations", s.newInvitationsForm)
	consoleAdmin.GET("/rounds/new", s.editRound)
	consoleAdmin.POST("/rounds/new", s.saveRound)
	consoleAdmin.GET("/rounds/:code/edit", s.editRound)
	consoleAdmin.POST("/rounds/:code/edit", s.saveRound)

	api := e.Group("/api/v1")
	// Respondents' apps and partners submit without an account; the
	// submission id makes retries safe.
	api.POST("/rounds/:round/units/:unit/responses", s.apiSubmit)

	// Everything else needs a bearer token: the bootstrap admin token, a
	// person's API token (their role), or a unit's reporter token.
	a := api.Group("", s.apiAuth)
	// The console's access table decides here too: one table for pages,
	// links and the API.
	admin := s.allow(adminAccess)
	staff := s.allow(staffAccess)
	reporters := s.allow(signedInAccess)

	a.GET("/units", s.listUnits, staff)
	a.POST("/units", s.createUnit, admin)
	a.GET("/units/:code", s.getUnit, staff)
	a.PUT("/units/:code", s.updateUnit, admin)
	a.POST("/units/:code/tokens", s.issueUnitToken, admin)
	a.GET("/questionnaires", s.listQuestionnaires, staff)
	a.POST("/questionnaires", s.createQuestionnaire, admin)
	a.GET("/questionnaires/:code", s.getQuestionnaire, staff)
	a.PUT("/questionnaires/:code", s.reviseQuestionnaire, admin)
	a.GET("/rounds", s.listRounds, staff)
	a.POST("/rounds", s.createRound, admin)
	a.GET("/rounds/:code", s.getRound, staff)
	a.PUT("/rounds/:code", s.updateRound, admin)
	a.GET("/rounds/:code/progress", s.roundProgress, staff)
	a.POST("/rounds/:code/schedule", s.scheduleRound, admin)
	a.POST("/rounds/:code/cancel", s.cancelRound, admin)
	a.POST("/rounds/:code/publish", s.publishRound, admin)
	a.POST("/rounds/:code/compile", s.compileRound, staff)
	a.POST("/rounds/:code/export", s.exportRound, staff)
	a.GET("/rounds/:code/reports", s.listReports, staff)
	a.GET("/reports/:file", s.downloadReport, staff)
	a.GET("/jobs", s.listJobs, staff)
	a.GET("/indicator-systems", s.listIndicatorSystems, staff)
	a.POST("/indicator-systems", s.createIndicatorSystem, admin)
	a.GET("/indicator-systems/:code", s.getIndicatorSystem, staff)
	a.PUT("/indicator-systems/:code", s.reviseIndicatorSystem, admin)
	s.upload(a.POST("/indicator-systems/:code/import", s.importIndicatorSystem, admin))
	a.GET("/rounds/:code/units/:unit/inputs", s.listInputs, staff)
	a.PUT("/rounds/:code/units/:unit/inputs/:indicator", s.setInput, staff)
	a.POST("/rounds/:code/units/:unit/adjustments", s.addAdjustment, staff)
	a.DELETE("/rounds/:code/units/:unit/adjustments/:id", s.deleteAdjustment, staff)
	a.GET("/plans", s.listPlans, reporters)
	a.POST("/plans", s.createPlan, admin)
	a.GET("/plans/:plan", s.getPlan, reporters)
	s.upload(a.POST("/plans/:plan/tasks/import", s.importTasks, admin))
	a.GET("/plans/:plan/tasks", s.listTasks, reporters)
	s.upload(a.POST("/plans/:plan/tasks/:no/progress", s.fileProgress, reporters))
	a.GET("/plans/:plan/tasks/:no/progress", s.taskProgress, reporters)
	a.GET("/progress/:id/evidence/:eid", s.downloadEvidence, reporters)
	a.POST("/progress/:id/review", s.reviewProgress, staff)
	a.POST("/users", s.createUser, admin)
	a.PUT("/users/:name", s.setUserRole, admin)
	a.GET("/tokens", s.listTokens, reporters)
	a.DELETE("/tokens/:id", s.revokeToken, reporters)
	a.GET("/audit", s.apiAudit, admin)
	a.GET("/rounds/:code/flagged", s.listFlagged, staff)
	a.POST("/rounds/:code/exclusions", s.excludeResponses, staff)
	a.DELETE("/rounds/:code/exclusions/:id", s.restoreResponse, staff)
	s.upload(a.POST("/rounds/:code/units/:unit/import", s.importResponses, staff))
	a.POST("/rounds/:code/units/:unit/invitations", s.newInvitations, admin)
	a.GET("/rounds/:code/units/:unit/invitations.xlsx", s.invitationsXLSX, staff)
}

func (s *Server) healthz(c echo.Context) error {
	if err := s.store.Ping(c.Request().Context()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func bearer(c echo.Context) (string, bool) {
	token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	return strings.TrimSpace(token), ok
}

func (s *Server) isAdminToken(token string) bool {
	want, _ := hex.DecodeString(s.cfg.AdminTokenHash)
	got, _ := hex.DecodeString(pinggu.HashToken(token))
	return len(want) > 0 && subtle.ConstantTimeCompare(got, want) == 1
}

// apiAuth resolves the bearer token to who is calling: the bootstrap admin
// token, a person's API token ("p_…", with their role), or a unit's
// reporter token ("u_…"). Anything else is 401.
func (s *Server) apiAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		token, ok := bearer(c)
		var p *pinggu.Principal
		var err error
		switch {
		case !ok || token == "":
			err = errUnauthorized
		case s.isAdminToken(token):
			p = &pinggu.Principal{Name: "admin", Role: pinggu.RoleAdmin}
		case strings.HasPrefix(token, "u_"):
			var unit string
			if unit, err = s.midterm.UnitOfToken(ctx, token); err == nil {
				p = &pinggu.Principal{Name: "unit:" + unit, Role: pinggu.RoleReporter, Unit: unit}
			}
		case strings.HasPrefix(token, "p_"):
			p, err = s.auth.PrincipalOfToken(ctx, token)
		default:
			err = errUnauthorized
		}
		if err != nil {
			if pinggu.ErrorCode(err) == pinggu.Unauthorized {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="pinggu"`)
			}
			return err
		}
		c.Set(principalKey, p)
		c.SetRequest(c.Request().WithContext(pinggu.WithActor(ctx, p.Name)))
		return next(c)
	}
}

// allow admits the roles of an access level (after apiAuth): 403 for the
// others.
func (s *Server) allow(a access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := principal(c)
			if p == nil || !a.allows(p.Role) {
				return pinggu.Errorf(pinggu.Forbidden, "当前身份无权执行此操作")
			}
			return next(c)
		}
	}
}

const principalKey = "principal"

func principal(c echo.Context) *pinggu.Principal {
	p, _ := c.Get(principalKey).(*pinggu.Principal)
	return p
}

// reporterUnit is the unit of a reporter's request, "" for everyone else.
func reporterUnit(c echo.Context) string {
	if p := principal(c); p != nil && p.Role == pinggu.RoleReporter {
		return p.Unit
	}
	return ""
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
