package assessment

import (
	"context"

	"pinggu"
)

// UnitFlow is where one unit stands in an assessment round's workflow,
// for the dashboard.
type UnitFlow struct {
	Unit       string
	Stage      string // 未填报 … 已复核, 申诉中, 已定稿
	Appeals    int    // unanswered
	Items      int    // rectification items not closed
	Overdue    int    // of those, past their deadline today
	MaxOverdue int    // the most days any is overdue
}

// Workflow reads every unit's stage in one pass (a few reads for the
// whole round, not a few per unit): its self-assessment sheet against
// its leaves and their entries, then 申诉中 while an appeal is unanswered
// and 已定稿 once the final result is compiled; with its open and overdue
// rectification items on today's date (in the round's zone).
func (s *Service) Workflow(ctx context.Context, round string, today pinggu.Date) ([]UnitFlow, error) {
	r, err := s.store.Round(ctx, round)
	if err != nil || r.Assessment == nil {
		return nil, err
	}
	sys, err := s.store.IndicatorSystem(ctx, r.Assessment.IndicatorSystem, r.Assessment.IndicatorVersion)
	if err != nil {
		return nil, err
	}
	all, err := s.store.Units(ctx)
	if err != nil {
		return nil, err
	}
	sheets, err := s.store.SelfSheets(ctx, round)
	if err != nil {
		return nil, err
	}
	inputs, err := s.store.Inputs(ctx, round, "")
	if err != nil {
		return nil, err
	}
	appeals, err := s.store.Appeals(ctx, round, "")
	if err != nil {
		return nil, err
	}
	items, err := s.store.Rectifications(ctx, round, "")
	if err != nil {
		return nil, err
	}
	sheetOf := map[string]pinggu.SelfSheet{}
	for _, sh := range sheets {
		sheetOf[sh.Unit] = sh
	}
	inputOf := map[string]map[string]*pinggu.Input{}
	for i := range inputs {
		in := &inputs[i]
		if inputOf[in.Unit] == nil {
			inputOf[in.Unit] = map[string]*pinggu.Input{}
		}
		inputOf[in.Unit][in.Indicator] = in
	}
	finalised := r.Status == pinggu.StatusCompiled || r.Status == pinggu.StatusPublished || r.Status == pinggu.StatusArchived
	var out []UnitFlow
	for _, u := range pinggu.RoundUnits(all, r.Units) {
		f := &SelfForm{Round: r, Unit: &u, System: sys, Sheet: sheetOf[u.Code]}
		for _, in := range sys.EnteredLeaves(u.Type) {
			f.Leaves = append(f.Leaves, SelfLeaf{Indicator: in, Input: inputOf[u.Code][in.Code]})
		}
		fl := UnitFlow{Unit: u.Code, Stage: pinggu.SheetStateLabel(f.Stage())}
		for _, a := range appeals {
			if a.Unit == u.Code && a.Decision == "" {
				fl.Appeals++
			}
		}
		for i := range items {
			it := &items[i]
			if it.Unit != u.Code || it.Status == pinggu.RectClosed {
				continue
			}
			fl.Items++
			if d := it.DaysOverdue(today); d > 0 {
				fl.Overdue++
				fl.MaxOverdue = max(fl.MaxOverdue, d)
			}
		}
		switch {
		case finalised:
			fl.Stage = "已定稿"
		case fl.Appeals > 0:
			fl.Stage = "申诉中"
		}
		out = append(out, fl)
	}
	return out, nil
}
