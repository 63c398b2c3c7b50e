package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"pinggu"
	"pinggu/survey"
)

// repairCommand is `pinggu repair [-round CODE]`: it counts the tallies of
// one round, or of every round that took answers, again from the stored
// responses and says what it corrected. It wants the server stopped (the
// embedded database refuses a second process anyway); a running server
// does the same on POST /api/v1/rounds/{code}/tallies/rebuild.
func repairCommand(ctx context.Context, args []string, cfg config, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pinggu repair", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("round", "", "one round's code (default: every round that took answers)")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory of the embedded database")
	fs.StringVar(&cfg.MongoURI, "mongo", cfg.MongoURI, "MongoDB URI (empty: embedded FerretDB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStoreAlone(ctx, cfg, stderr,
		"ask it: curl -X POST <server>/api/v1/rounds/<code>/tallies/rebuild -H 'Authorization: Bearer <admin token>'")
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	sec, err := st.Secrets(ctx)
	if err != nil {
		return err
	}
	sv := survey.New(st, time.Now, sec.FormKey, sec.IPSalt, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	rounds, err := st.Rounds(ctx)
	if err != nil {
		return err
	}
	ctx = pinggu.WithActor(ctx, "repair")
	for _, r := range rounds {
		if *only != "" && r.Code != *only || *only == "" && r.Status == pinggu.StatusDraft {
			continue
		}
		res, err := sv.Rebuild(ctx, r.Code)
		if err != nil {
			return fmt.Errorf("round %s: %w", r.Code, err)
		}
		if len(res.Fixed) == 0 {
			fmt.Fprintf(stdout, "round %s: tallies agree with the responses\n", r.Code)
		}
		for _, f := range res.Fixed {
			fmt.Fprintf(stdout, "round %s unit %s: counted %d, stored %d: corrected\n", r.Code, f.Unit, f.Before, f.After)
		}
	}
	return nil
}
