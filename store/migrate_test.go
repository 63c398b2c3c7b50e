package store

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A database written before responses were keyed per round is moved to
// the new keys at the next start: the same submission id in two rounds
// becomes two responses, exclusions follow, and nothing is lost.
func TestOldKeysAreMigrated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 10, 2, 1, 0, 0, 0, time.UTC)
	if _, err := s.db.Collection(colResponses).InsertOne(ctx, bson.D{{Key: "_id", Value: "old-sid-01"}, {Key: "round", Value: "r1"},
		{Key: "unit", Value: "u1"}, {Key: "answers", Value: bson.D{{Key: "Q1", Value: bson.A{"5"}}}}, {Key: "channel", Value: "web"},
		{Key: "submittedAt", Value: at}, {Key: "durationMs", Value: int64(-1)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Collection(colExclusions).InsertOne(ctx, bson.D{{Key: "_id", Value: "old-sid-01"}, {Key: "round", Value: "r1"},
		{Key: "unit", Value: "u1"}, {Key: "reason", Value: "作答过快"}, {Key: "at", Value: at}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Collection(colSettings).DeleteOne(ctx, bson.D{{Key: "_id", Value: "schema"}}); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)

	s, err = Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	r, err := s.Response(ctx, "r1", "old-sid-01")
	if err != nil || r.ID != "old-sid-01" || r.Answers["Q1"][0] != "5" || !r.SubmittedAt.Equal(at) {
		t.Fatalf("migrated response: %+v %v", r, err)
	}
	if n, _ := s.db.Collection(colResponses).CountDocuments(ctx, bson.D{}); n != 1 {
		t.Fatalf("%d responses after the migration, want 1", n)
	}
	es, err := s.Exclusions(ctx, "r1")
	if err != nil || len(es) != 1 || es[0].Response != "old-sid-01" || es[0].Reason != "作答过快" {
		t.Fatalf("migrated exclusions: %+v %v", es, err)
	}
	if err := s.Restore(ctx, "r1", "old-sid-01"); err != nil {
		t.Fatalf("restore by the new key: %v", err)
	}
}
