// Package quality is the assessors' review of a round's responses: the
// flagged ones listed, exclusions made (with a reason) and undone. The
// flags themselves are raised at submission (package survey); published
// numbers leave excluded responses out.
package quality

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"pinggu"
)

// Store is what reviewing flagged responses needs.
type Store interface {
	EachResponse(ctx context.Context, round string, fn func(*pinggu.Response) error) error
	Response(ctx context.Context, round, id string) (*pinggu.Response, error)
	Flagged(ctx context.Context, round, unit string) ([]pinggu.Response, error)
	Exclude(ctx context.Context, es []pinggu.Exclusion) (int, error)
	Restore(ctx context.Context, round, response string) error
	Exclusions(ctx context.Context, round string) ([]pinggu.Exclusion, error)
	pinggu.Auditor
}

// Flagged is a response with a quality flag, and whether it is excluded.
type Flagged struct {
	ID          string    `json:"id"`
	Unit        string    `json:"unit"`
	Flags       []string  `json:"flags"`
	Channel     string    `json:"channel"`
	SubmittedAt time.Time `json:"submittedAt"`
	DurationMs  int64     `json:"durationMs"`
	Excluded    string    `json:"excluded,omitempty"` // the reason, when excluded
}

// Service reviews a round's responses. It reads the flagged few (kept
// apart at submission) and responses by key; only excluding a whole unit
// streams a round's responses.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns the review service.
func New(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// Flagged lists the round's flagged or excluded responses (of one unit
// when set), oldest first.
func (q *Service) Flagged(ctx context.Context, round, unit string) ([]Flagged, error) {
	es, err := q.store.Exclusions(ctx, round)
	if err != nil {
		return nil, err
	}
	excluded := make(map[string]string, len(es))
	for _, e := range es {
		excluded[e.Response] = e.Reason
	}
	rs, err := q.store.Flagged(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(rs))
	for _, r := range rs {
		seen[r.ID] = true
	}
	for _, e := range es { // excluded without a flag: read by key
		if seen[e.Response] || unit != "" && e.Unit != unit {
			continue
		}
		r, err := q.store.Response(ctx, round, e.Response)
		if err != nil {
			return nil, err
		}
		rs = append(rs, *r)
	}
	out := make([]Flagged, len(rs))
	for i, r := range rs {
		out[i] = Flagged{ID: r.ID, Unit: r.Unit, Flags: r.Flags, Channel: string(r.Channel),
			SubmittedAt: r.SubmittedAt, DurationMs: r.DurationMs, Excluded: excluded[r.ID]}
	}
	slices.SortStableFunc(out, func(a, b Flagged) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	return out, nil
}

// ExcludedByUnit counts a round's excluded responses per unit.
func (q *Service) ExcludedByUnit(ctx context.Context, round string) (map[string]int, error) {
	es, err := q.store.Exclusions(ctx, round)
	if err != nil {
		return nil, err
	}
	m := map[string]int{}
	for _, e := range es {
		m[e.Unit]++
	}
	return m, nil
}

// targeted finds the responses an exclusion names: listed ids by key,
// flagged ones from their review copies, and only a whole unit by
// streaming the round's responses.
func (q *Service) targeted(ctx context.Context, round string, t Target) ([]pinggu.Response, error) {
	keep := func(r *pinggu.Response) bool {
		return r.Round == round && (t.Unit == "" || r.Unit == t.Unit) && (t.Flag == "" || slices.Contains(r.Flags, t.Flag))
	}
	var out []pinggu.Response
	switch {
	case len(t.IDs) > 0:
		for _, id := range t.IDs {
			r, err := q.store.Response(ctx, round, id)
			if pinggu.ErrorCode(err) == pinggu.NotFound || err == nil && r.Round != round {
				return nil, pinggu.FieldErrors{"ids": "部分答卷编号不属于本轮次"}.Err("排除条件有误")
			}
			if err != nil {
				return nil, err
			}
			if keep(r) {
				out = append(out, *r)
			}
		}
	case t.Flag != "":
		rs, err := q.store.Flagged(ctx, round, t.Unit)
		if err != nil {
			return nil, err
		}
		for i := range rs {
			if keep(&rs[i]) {
				out = append(out, rs[i])
			}
		}
	default:
		err := q.store.EachResponse(ctx, round, func(r *pinggu.Response) error {
			if keep(r) {
				out = append(out, pinggu.Response{ID: r.ID, Round: r.Round, Unit: r.Unit})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Target picks responses to exclude: listed ids, or every response of a
// unit and/or with a flag (a whole burst, say).
type Target struct {
	IDs  []string `json:"ids,omitempty"`
	Unit string   `json:"unit,omitempty"`
	Flag string   `json:"flag,omitempty"`
}

// Exclude takes the targeted responses of a round out of its results with
// a reason; the next compile leaves them out and says so.
func (q *Service) Exclude(ctx context.Context, round string, t Target, reason string) (int, error) {
	reason = strings.TrimSpace(reason)
	fe := pinggu.FieldErrors{}
	if reason == "" || len([]rune(reason)) > 500 {
		fe.Add("reason", "须说明排除原因（不超过500字）")
	}
	if len(t.IDs) == 0 && t.Unit == "" && t.Flag == "" {
		fe.Add("ids", "须指定答卷编号，或按单位、标记筛选")
	}
	if err := fe.Err("排除条件有误"); err != nil {
		return 0, err
	}
	now, by := q.now().UTC().Truncate(time.Millisecond), pinggu.Actor(ctx)
	rs, err := q.targeted(ctx, round, t)
	if err != nil {
		return 0, err
	}
	es := make([]pinggu.Exclusion, len(rs))
	for i, r := range rs {
		es[i] = pinggu.Exclusion{Response: r.ID, Round: round, Unit: r.Unit, Reason: reason, By: by, At: now}
	}
	n, err := q.store.Exclude(ctx, es)
	if err != nil {
		return n, err
	}
	return n, pinggu.Audit(ctx, q.store, "response.exclude", "round/"+round,
		fmt.Sprintf("排除%d份（单位%s，标记%s，编号%d个），原因：%s", n, t.Unit, t.Flag, len(t.IDs), reason))
}

// Restore takes an excluded response back into the results.
func (q *Service) Restore(ctx context.Context, round, id string) error {
	if err := q.store.Restore(ctx, round, id); err != nil {
		return err
	}
	return pinggu.Audit(ctx, q.store, "response.restore", "round/"+round+"/response/"+id, "恢复")
}
