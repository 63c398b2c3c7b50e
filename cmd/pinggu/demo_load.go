package main

import (
	"context"
	"fmt"

	"pinggu"
	"pinggu/assessment"
	"pinggu/demo"
	"pinggu/jobs"
	"pinggu/midterm"
)

// loadDemo loads the whole sample (demo) and compiles every round's
// reports before anyone looks: last year's round is closed, compiled and
// published; the open round, the assessment and the mid-term evaluation
// get provisional results. A restart finds it all stored and compiles
// nothing.
func (a *app) loadDemo(ctx context.Context) error {
	ctx = pinggu.WithActor(ctx, "demo")
	d := demo.Deps{Catalog: a.catalog, Rounds: a.rounds, Survey: a.survey,
		Assessment: assessment.New(a.store, a.now), Midterm: midterm.New(a.store, a.now)}
	now := a.now()
	if err := demo.LoadPrevious(ctx, d, now, a.cfg.Responses*4/5); err != nil {
		return err
	}
	res, err := demo.Load(ctx, a.catalog, a.rounds, a.survey, now, a.cfg.Responses)
	if err != nil {
		return err
	}
	if err := demo.LoadAssessment(ctx, d, now); err != nil {
		return err
	}
	if err := demo.LoadMidterm(ctx, d, now); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "demo: round %s loaded, %d new responses stored; last year's round, an assessment and a mid-term evaluation beside it\n",
		res.Round.Code, res.Submitted)
	compiler := jobs.NewCompiler(a.store, a.now)
	compiler.Org = a.cfg.Org
	prev, err := a.catalog.Round(ctx, demo.PreviousRound)
	if err != nil {
		return err
	}
	if !prev.Status.Finished() {
		if err := a.rounds.Close(ctx, demo.PreviousRound); err != nil {
			return err
		}
		rep, err := compiler.Compile(ctx, demo.PreviousRound, true, 0, nil)
		if err != nil {
			return fmt.Errorf("compile %s: %w", demo.PreviousRound, err)
		}
		if err := a.rounds.MarkCompiled(ctx, demo.PreviousRound, rep.ID); err != nil {
			return err
		}
		if _, err := a.rounds.Publish(ctx, demo.PreviousRound); err != nil {
			return err
		}
	}
	for _, code := range []string{demo.RoundCode, demo.AssessmentRound, demo.MidtermRound} {
		// A restart finds the reports made before (the hourly provisional
		// compile keeps them current): compiling again would re-read every
		// response only to find the same fingerprint.
		if reps, err := a.store.Reports(ctx, code); err != nil {
			return err
		} else if len(reps) > 0 {
			continue
		}
		if _, err := compiler.Compile(ctx, code, false, 0, nil); err != nil {
			return fmt.Errorf("compile %s: %w", code, err)
		}
	}
	return nil
}
