package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// routes is the one route table of the product.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	// The address alone leads to the console (its sign-in when signed out).
	e.GET("/", s.startPage)
	e.GET("/admin/", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/admin") })
	if s.cfg.Metrics != nil {
		// For administrators' monitoring: the admin token or an
		// administrator's API token.
		e.GET("/metrics", echo.WrapHandler(s.cfg.Metrics.Handler()), s.apiAuth, s.allow(adminAccess))
	}

	// Respondents: the survey page of one unit in one round.
	e.GET("/s/:round/:unit", s.surveyForm)
	e.POST("/s/:round/:unit", s.surveySubmit)
	e.GET("/s/:round/:unit/thanks", s.surveyThanks)
	// Everyone: a round's published results (公示, then 正式结果).
	e.GET("/p/:round", s.publicResults)

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
	// A unit's self-assessment: its reporters fill it, staff read it
	// (self_show.go checks a reporter's unit).
	signedIn.GET("/rounds/:code/units/:unit/self", s.consoleSelf)
	s.upload(signedIn.POST("/rounds/:code/units/:unit/self", s.saveSelfForm))
	signedIn.GET("/rounds/:code/units/:unit/self/:indicator/evidence/:eid", s.selfEvidence)
	// Appeals and rectification: units file and report, staff answer and
	// close (followup_show.go decides by role and a reporter's unit).
	signedIn.GET("/rounds/:code/followup", s.consoleFollowup)
	s.upload(signedIn.POST("/rounds/:code/followup", s.followupAction))
	signedIn.GET("/appeals/:id/evidence/:eid", s.appealEvidence)
	signedIn.GET("/rectifications/:id/evidence/:eid", s.rectificationEvidence)
	consoleStaff := e.Group("/admin", s.requireSession(staffAccess))
	consoleStaff.GET("/rounds/:code", s.consoleRound)
	consoleStaff.GET("/reports/:file", s.downloadReport)
	consoleStaff.GET("/rounds/:code/units/:unit/qr.png", s.qrPNG)
	consoleStaff.GET("/rounds/:code/units/:unit/poster", s.poster)
	consoleStaff.GET("/rounds/:code/public-qr.png", s.publicQR)
	consoleStaff.GET("/rounds/:code/public-poster", s.publicPoster)
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
	consoleAdmin.GET("/users", s.consoleUsers)
	consoleAdmin.POST("/users/:name", s.userAction)
	consoleAdmin.GET("/units", s.consoleUnits)
	consoleAdmin.POST("/units", s.saveUnit)
	s.upload(consoleAdmin.POST("/units/import", s.importUnits))
	consoleAdmin.GET("/questionnaires", s.consoleQuestionnaires)
	consoleAdmin.GET("/questionnaires/build", s.buildQuestionnaire)
	consoleAdmin.POST("/questionnaires/build", s.postBuilder)
	consoleAdmin.GET("/questionnaires/edit", s.editQuestionnaire)
	consoleAdmin.POST("/questionnaires/edit", s.saveQuestionnaire)
	consoleAdmin.GET("/indicator-systems", s.consoleIndicators)
	s.upload(consoleAdmin.POST("/indicator-systems", s.uploadIndicators))
	consoleAdmin.POST("/plans", s.savePlan)
	s.upload(consoleAdmin.POST("/plans/:plan/tasks", s.uploadTasks))
	consoleAdmin.POST("/rounds/:code/invitations", s.newInvitationsForm)
	consoleAdmin.POST("/rounds/:code/phase", s.savePhase)
	consoleAdmin.GET("/rounds/new", s.editRound)
	consoleAdmin.POST("/rounds/new", s.saveRound)
	consoleAdmin.GET("/rounds/:code/edit", s.editRound)
	consoleAdmin.POST("/rounds/:code/edit", s.saveRound)
	// Each group above registers a catch-all for its middleware; the last
	// (administrators only) would answer an unknown address 403 to anyone
	// else. Any signed-in person gets 404 inside the console instead.
	e.RouteNotFound("/admin/*", func(echo.Context) error { return echo.ErrNotFound }, s.requireSession(signedInAccess))

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
	a.GET("/units/:code/tokens", s.listUnitTokens, admin)
	a.DELETE("/units/:code/tokens/:id", s.revokeUnitToken, admin)
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
	a.POST("/rounds/:code/phases/:phase", s.setPhase, admin)
	a.POST("/rounds/:code/publish", s.publishRound, admin)
	a.POST("/rounds/:code/tallies/rebuild", s.rebuildTallies, admin)
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
	a.POST("/rounds/:code/units/:unit/inputs/:indicator/confirm", s.confirmInput, staff)
	s.upload(a.POST("/rounds/:code/inputs/import", s.importData, staff))
	a.POST("/rounds/:code/units/:unit/adjustments", s.addAdjustment, staff)
	a.DELETE("/rounds/:code/units/:unit/adjustments/:id", s.deleteAdjustment, staff)
	// A unit's self-assessment: its reporters fill and submit it, assessors
	// return leaves (api_self.go checks a reporter's unit).
	a.GET("/rounds/:code/units/:unit/self", s.getSelf, reporters)
	s.upload(a.PUT("/rounds/:code/units/:unit/self/:indicator", s.saveSelf, reporters))
	a.POST("/rounds/:code/units/:unit/self/submit", s.submitSelf, reporters)
	a.POST("/rounds/:code/units/:unit/self/:indicator/return", s.returnSelf, staff)
	a.GET("/rounds/:code/units/:unit/self/:indicator/evidence/:eid", s.selfEvidence, reporters)
	// Appeals: units file them on their provisional results, assessors answer.
	s.upload(a.POST("/rounds/:code/units/:unit/appeals", s.fileAppeal, reporters))
	a.GET("/rounds/:code/units/:unit/appeals", s.listAppeals, reporters)
	a.GET("/rounds/:code/appeals", s.listAppeals, staff)
	a.POST("/appeals/:id/decision", s.decideAppeal, staff)
	a.GET("/appeals/:id/evidence/:eid", s.appealEvidence, reporters)
	// Rectification (整改): items from the final result and administrators'
	// findings; the responsible unit reports, assessors review and close.
	a.GET("/rounds/:code/rectifications", s.listRectifications, reporters)
	a.POST("/rounds/:code/rectifications", s.addFinding, admin)
	a.POST("/rounds/:code/rectifications/ledger", s.ledger, staff)
	s.upload(a.POST("/rectifications/:id/progress", s.reportRectification, reporters))
	a.POST("/rectifications/:id/review", s.reviewRectification, staff)
	a.POST("/rectifications/:id/close", s.closeRectification, staff)
	a.GET("/rectifications/:id/evidence/:eid", s.rectificationEvidence, reporters)
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
	a.POST("/users/:name/disable", s.disableUser, admin)
	a.POST("/users/:name/enable", s.enableUser, admin)
	a.DELETE("/users/:name/sessions", s.endUserSessions, admin)
	a.GET("/users/:name/tokens", s.listUserTokens, admin)
	a.DELETE("/users/:name/tokens/:id", s.revokeUserToken, admin)
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
