package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"pinggu"
)

type exclusionDoc struct {
	ID     string    `bson:"_id"` // the response id
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
		_, err := s.db.Collection(colExclusions).InsertOne(ctx, exclusionDoc{ID: e.Response, Round: e.Round, Unit: e.Unit,
			Reason: e.Reason, By: e.By, At: e.At})
		if mongo.IsDuplicateKeyError(err) {
			continue
		}
		if err != nil {
			return n, mapErr(err, "排除记录")
		}
		n++
	}
	return n, nil
}

// Restore takes a response back into the results.
func (s *Store) Restore(ctx context.Context, round, response string) error {
	res, err := s.db.Collection(colExclusions).DeleteOne(ctx, bson.D{{Key: "_id", Value: response}, {Key: "round", Value: round}})
	if err != nil {
		return mapErr(err, "排除记录")
	}
	if res.DeletedCount == 0 {
		return pinggu.Errorf(pinggu.NotFound, "答卷%s未被排除", response)
	}
	return nil
}

// Exclusions lists a round's exclusions.
func (s *Store) Exclusions(ctx context.Context, round string) ([]pinggu.Exclusion, error) {
	return findAll(ctx, s.db.Collection(colExclusions), "排除记录", bson.D{{Key: "round", Value: round}},
		func(d *exclusionDoc) pinggu.Exclusion {
			return pinggu.Exclusion{Response: d.ID, Round: d.Round, Unit: d.Unit, Reason: d.Reason, By: d.By, At: d.At.UTC()}
		})
}
