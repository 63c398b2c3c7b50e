package pinggu

import (
	"context"
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
