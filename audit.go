package pinggu

import (
	"context"
	"strings"
	"time"
)

// AuditEntry records one change made by a person or a job. Entries are only
// ever inserted: nothing in the product edits or deletes them.
type AuditEntry struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`   // "admin", "user:wang", "unit:sfj", "job:round:close"
	Action  string    `json:"action"`  // e.g. "round.schedule"
	Object  string    `json:"object"`  // e.g. "round/r2024"
	Summary string    `json:"summary"` // what changed, in words
}

// Auditor records changes.
type Auditor interface {
	Audit(ctx context.Context, e *AuditEntry) error
}

// Audit records a change by the actor of ctx; a failure to record is
// returned so the caller can decide (changes already made are not undone).
func Audit(ctx context.Context, a Auditor, action, object, summary string) error {
	if a == nil {
		return nil
	}
	return a.Audit(ctx, &AuditEntry{At: time.Now().UTC().Truncate(time.Millisecond), Actor: Actor(ctx),
		Action: action, Object: object, Summary: summary})
}

// ActorLabel is an actor as a page or a workbook names it: a person by
// their user name, the bootstrap token and units' tokens in words.
func ActorLabel(actor string) string {
	switch {
	case actor == "admin":
		return "管理员令牌"
	case strings.HasPrefix(actor, "user:"):
		return strings.TrimPrefix(actor, "user:")
	case strings.HasPrefix(actor, "unit:"):
		return "单位填报令牌"
	}
	return actor
}
