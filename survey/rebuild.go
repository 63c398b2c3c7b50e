package survey

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"pinggu"
)

// TallyFix is one unit's tally corrected by a rebuild.
type TallyFix struct {
	Unit   string `json:"unit"`
	Before int    `json:"before"` // responses counted before
	After  int    `json:"after"`  // responses stored
}

// Rebuilt says what a rebuild of a round's tallies did.
type Rebuilt struct {
	Round string     `json:"round"`
	Fixed []TallyFix `json:"fixed"`
	// Busy are units whose tally changed while the rebuild read the
	// responses: left as they are, to be rebuilt at a quieter moment.
	Busy []string `json:"busy,omitempty"`
}

// Rebuild counts a round's tallies again from its stored responses — the
// record — and corrects those that drifted (a crash between storing a
// response and counting it, a slot taken for a response never stored).
// Each correction is conditional on the tally not having changed while
// the responses were read, and is audited (tally.repair) so the dashboard
// can say so. Rebuild when the round takes no submissions through another
// process: a response stored but not yet counted at that moment would be
// counted twice.
func (s *Service) Rebuild(ctx context.Context, round string) (*Rebuilt, error) {
	r, err := s.store.Round(ctx, round)
	if err != nil {
		return nil, err
	}
	if r.Questionnaire == "" { // a mid-term round: no survey, no tallies
		return &Rebuilt{Round: round, Fixed: []TallyFix{}}, nil
	}
	q, err := s.store.Questionnaire(ctx, r.Questionnaire, r.QuestionnaireVersion)
	if err != nil {
		return nil, err
	}
	stored, err := s.store.Tallies(ctx, round)
	if err != nil {
		return nil, err
	}
	before := map[string]pinggu.Tally{}
	for _, t := range stored {
		before[t.Unit] = t
	}
	rebuilt, overFlagged := map[string]*pinggu.Tally{}, map[string]int{}
	loc := r.Location() // loaded once, not per response
	err = s.store.EachResponse(ctx, round, func(resp *pinggu.Response) error {
		t := rebuilt[resp.Unit]
		if t == nil {
			t = &pinggu.Tally{Unit: resp.Unit}
			rebuilt[resp.Unit] = t
		}
		e := pinggu.TallyEntry{Questionnaire: q, Answers: resp.Answers, At: resp.SubmittedAt,
			Day: resp.SubmittedAt.In(loc).Format(pinggu.DateLayout), DurationMs: resp.DurationMs, Channel: resp.Channel}
		for _, f := range resp.Flags {
			if f == pinggu.FlagOverQuota { // a unit's overflow is derived, not counted
				overFlagged[resp.Unit]++
				continue
			}
			e.Flags = append(e.Flags, f)
		}
		if r.Strata != nil {
			e.Stratum = r.Strata.Cell(resp.Answers)
		}
		t.Add(e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := &Rebuilt{Round: round, Fixed: []TallyFix{}}
	for _, unit := range slices.Sorted(maps.Keys(unionKeys(before, rebuilt))) {
		t := pinggu.Tally{Unit: unit}
		if x := rebuilt[unit]; x != nil {
			t = *x
		}
		// Beyond the unit's own overflow, the responses flagged over quota
		// were beyond their stratum's (counted at submission).
		if cellOnly := overFlagged[unit] - max(0, t.Received-r.Quotas[unit]); cellOnly > 0 {
			if t.Flags == nil {
				t.Flags = map[string]int{}
			}
			t.Flags[pinggu.FlagOverQuota] = cellOnly
		}
		old := before[unit]
		if sameCounts(old, t) {
			continue
		}
		ok, err := s.store.ReplaceTally(ctx, round, t, old)
		if err != nil {
			return nil, err
		}
		if !ok {
			res.Busy = append(res.Busy, unit)
			continue
		}
		res.Fixed = append(res.Fixed, TallyFix{Unit: unit, Before: old.Received, After: t.Received})
	}
	if len(res.Fixed) > 0 {
		s.ForgetRound(round)
		var parts []string
		for _, f := range res.Fixed {
			name := f.Unit // said in the unit's name where it is known
			if u, err := s.store.Unit(ctx, f.Unit); err == nil {
				name = u.Name
			}
			parts = append(parts, fmt.Sprintf("%s 已收%d→%d", name, f.Before, f.After))
		}
		summary := strings.Join(parts, "；")
		if err := s.store.RecordRepair(ctx, round, s.now().UTC().Truncate(time.Millisecond), summary); err != nil {
			return nil, err
		}
		if err := pinggu.Audit(ctx, s.store, "tally.repair", "round/"+round, "按答卷重建计数："+summary); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func unionKeys(a map[string]pinggu.Tally, b map[string]*pinggu.Tally) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// sameCounts compares what tallies count (an empty map and none are the same).
func sameCounts(a, b pinggu.Tally) bool {
	eq := func(x, y map[string]int) bool {
		for k, v := range x {
			if y[k] != v {
				return false
			}
		}
		for k, v := range y {
			if x[k] != v {
				return false
			}
		}
		return true
	}
	return a.Received == b.Received && eq(a.Counts, b.Counts) && eq(a.Days, b.Days) && eq(a.Flags, b.Flags) &&
		eq(a.Durations, b.Durations) && eq(a.Strata, b.Strata) && eq(a.Channels, b.Channels)
}

// LastRepair says when a round's tallies were last corrected and how
// (zero time when never).
func (s *Service) LastRepair(ctx context.Context, round string) (time.Time, string, error) {
	return s.store.LastRepair(ctx, round)
}
