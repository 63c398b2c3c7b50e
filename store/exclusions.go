package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type exclusionDoc struct {
	ID     string    `bson:"_id"` // responseKey(round, sid)
	SID    string    `bson:"sid"`
	Round  string    `bson:"round"`
	Unit   string    `bson:"unit"`
	Reason string    `bson:"reason"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
}

// Exclude marks responses as excluded from the round's results; a response
// already excluded keeps its first reason. It returns how many were new.
func (s *Store) Exclude(ctx context.Context, es []pinggu.Exclusion) (int, error) {
	n := 0
	for _, e := range es {
		_, err := s.db.Collection(colExclusions).InsertOne(ctx, exclusionDoc{ID: responseKey(e.Round, e.Response), SID: e.Response, Round: e.Round, Unit: e.Unit,
			Reason: e.Reason, By: e.By, At: e.At})
		if mongo.IsDuplicateKeyError(err) {
			continue
		}
		if err != nil {
			return n, mapErr(err, pinggu.ObjExclusion)
		}
		n++
	}
	return n, nil
}

// Restore takes a response back into the results.
func (s *Store) Restore(ctx context.Context, round, response string) error {
	res, err := s.db.Collection(colExclusions).DeleteOne(ctx, bson.D{{Key: "_id", Value: responseKey(round, response)}})
	if err != nil {
		return mapErr(err, pinggu.ObjExclusion)
	}
	if res.DeletedCount == 0 {
		return pinggu.Missing(pinggu.ObjExclusion, response)
	}
	return nil
}

// Exclusions lists a round's exclusions.
func (s *Store) Exclusions(ctx context.Context, round string) ([]pinggu.Exclusion, error) {
	return findAll(ctx, s.db.Collection(colExclusions), pinggu.ObjExclusion, bson.D{{Key: "round", Value: round}},
		func(d *exclusionDoc) pinggu.Exclusion {
			return pinggu.Exclusion{Response: d.SID, Round: d.Round, Unit: d.Unit, Reason: d.Reason, By: d.By, At: d.At.UTC()}
		})
}

// flaggedDoc is the review copy of a response that carries a quality flag.
type flaggedDoc struct {
	ID          string    `bson:"_id"` // responseKey(round, sid)
	SID         string    `bson:"sid"`
	Round       string    `bson:"round"`
	Unit        string    `bson:"unit"`
	Flags       []string  `bson:"flags"`
	Channel     string    `bson:"channel"`
	SubmittedAt time.Time `bson:"submittedAt"`
	DurationMs  int64     `bson:"durationMs"`
}

// FlagResponses adds a flag found after responses were stored (beyond an
// open quota) to them and to their review copies, each by its key (the one
// lookup the embedded backend does not answer by scanning).
func (s *Store) FlagResponses(ctx context.Context, rs []*pinggu.Response, flag string) error {
	if len(rs) == 0 {
		return nil
	}
	resps, copies := make([]mongo.WriteModel, len(rs)), make([]mongo.WriteModel, len(rs))
	for i, r := range rs {
		if !slices.Contains(r.Flags, flag) {
			r.Flags = append(r.Flags[:len(r.Flags):len(r.Flags)], flag)
		}
		key := bson.D{{Key: "_id", Value: responseKey(r.Round, r.ID)}}
		resps[i] = mongo.NewUpdateOneModel().SetFilter(key).SetUpdate(bson.D{{Key: "$addToSet", Value: bson.D{{Key: "flags", Value: flag}}}})
		copies[i] = mongo.NewReplaceOneModel().SetFilter(key).SetUpsert(true).SetReplacement(newFlaggedDoc(r))
	}
	if _, err := s.db.Collection(colResponses).BulkWrite(ctx, resps, options.BulkWrite().SetOrdered(false)); err != nil {
		return mapErr(err, pinggu.ObjResponse)
	}
	_, err := s.db.Collection(colFlagged).BulkWrite(ctx, copies, options.BulkWrite().SetOrdered(false))
	return mapErr(err, pinggu.ObjFlagged)
}

func newFlaggedDoc(r *pinggu.Response) flaggedDoc {
	return flaggedDoc{ID: responseKey(r.Round, r.ID), SID: r.ID, Round: r.Round, Unit: r.Unit, Flags: r.Flags, Channel: string(r.Channel),
		SubmittedAt: r.SubmittedAt, DurationMs: r.DurationMs}
}

// RecordFlagged keeps a review copy of flagged responses; copies already
// kept are left as they are, so recording again (a retry, a compile's
// backfill) changes nothing.
func (s *Store) RecordFlagged(ctx context.Context, rs []*pinggu.Response) error {
	docs := make([]any, 0, len(rs))
	for _, r := range rs {
		if len(r.Flags) > 0 {
			docs = append(docs, newFlaggedDoc(r))
		}
	}
	if len(docs) == 0 {
		return nil
	}
	_, err := s.db.Collection(colFlagged).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && allDuplicates(bwe) {
		return nil
	}
	return mapErr(err, pinggu.ObjFlagged)
}

func allDuplicates(bwe mongo.BulkWriteException) bool {
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return false
		}
	}
	return bwe.WriteConcernError == nil
}

// Flagged lists the flagged responses of a round (of one unit when set),
// oldest first.
func (s *Store) Flagged(ctx context.Context, round, unit string) ([]pinggu.Response, error) {
	filter := bson.D{{Key: "round", Value: round}}
	if unit != "" {
		filter = append(filter, bson.E{Key: "unit", Value: unit})
	}
	return findAll(ctx, s.db.Collection(colFlagged), pinggu.ObjFlagged, filter, func(d *flaggedDoc) pinggu.Response {
		return pinggu.Response{ID: d.SID, Round: d.Round, Unit: d.Unit, Flags: d.Flags, Channel: pinggu.Channel(d.Channel),
			SubmittedAt: d.SubmittedAt.UTC(), DurationMs: d.DurationMs}
	}, options.Find().SetSort(bson.D{{Key: "submittedAt", Value: 1}}))
}
