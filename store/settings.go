package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

// Secrets are generated once per installation and shared by every replica.
type Secrets struct {
	FormKey        string `bson:"formKey"`        // signs the issue time of survey forms
	IPSalt         string `bson:"ipSalt"`         // salts client IP hashes
	AdminTokenHash string `bson:"adminTokenHash"` // SHA-256 of the bootstrap admin token, hex
}

const secretsID = "secrets"

// Secrets returns the installation's secrets, creating them on first use.
// Creation is an insert, so two replicas starting together agree on one set.
func (s *Store) Secrets(ctx context.Context) (*Secrets, error) {
	col := s.db.Collection(colSettings)
	var sec Secrets
	err := col.FindOne(ctx, bson.D{{Key: "_id", Value: secretsID}}).Decode(&sec)
	if err == nil {
		return &sec, nil
	}
	if err != mongo.ErrNoDocuments {
		return nil, mapErr(err, pinggu.ObjSettings)
	}
	fresh := bson.D{{Key: "_id", Value: secretsID}, {Key: "formKey", Value: randomHex(32)},
		{Key: "ipSalt", Value: randomHex(32)}, {Key: "adminTokenHash", Value: ""}}
	if _, err := col.InsertOne(ctx, fresh); err != nil && !mongo.IsDuplicateKeyError(err) {
		return nil, mapErr(err, pinggu.ObjSettings)
	}
	if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: secretsID}}).Decode(&sec); err != nil {
		return nil, mapErr(err, pinggu.ObjSettings)
	}
	return &sec, nil
}

// SetAdminTokenHash records the hash of a new bootstrap admin token.
func (s *Store) SetAdminTokenHash(ctx context.Context, hash string) error {
	_, err := s.db.Collection(colSettings).UpdateOne(ctx, bson.D{{Key: "_id", Value: secretsID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "adminTokenHash", Value: hash}}}})
	return mapErr(err, pinggu.ObjSettings)
}

// runID is the settings document that says whether a serving process is
// running: set at its start, cleared when it stops cleanly.
const runID = "run"

// Started records that a serving process runs and reports whether the
// previous one stopped cleanly (true at the very first start).
func (s *Store) Started(ctx context.Context) (clean bool, err error) {
	var before struct {
		Running bool `bson:"running"`
	}
	err = s.db.Collection(colSettings).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: runID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "running", Value: true}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.Before)).Decode(&before)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return true, nil
	}
	return !before.Running, mapErr(err, pinggu.ObjSettings)
}

// Stopped records a clean stop.
func (s *Store) Stopped(ctx context.Context) error {
	_, err := s.db.Collection(colSettings).UpdateOne(ctx, bson.D{{Key: "_id", Value: runID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "running", Value: false}}}})
	return mapErr(err, pinggu.ObjSettings)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(pinggu.Wrap(pinggu.Internal, err, "")) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

// repairDoc is the last correction of a round's tallies, kept by key so
// the dashboard reads it without scanning the audit log.
type repairDoc struct {
	ID      string    `bson:"_id"` // "repair/" + round
	At      time.Time `bson:"at"`
	Summary string    `bson:"summary"`
}

// RecordRepair keeps the last correction of a round's tallies.
func (s *Store) RecordRepair(ctx context.Context, round string, at time.Time, summary string) error {
	_, err := s.db.Collection(colSettings).ReplaceOne(ctx, bson.D{{Key: "_id", Value: "repair/" + round}},
		repairDoc{ID: "repair/" + round, At: at, Summary: summary}, options.Replace().SetUpsert(true))
	return mapErr(err, pinggu.ObjSettings)
}

// LastRepair returns the last correction of a round's tallies (zero time
// when there was none).
func (s *Store) LastRepair(ctx context.Context, round string) (time.Time, string, error) {
	var d repairDoc
	err := s.db.Collection(colSettings).FindOne(ctx, bson.D{{Key: "_id", Value: "repair/" + round}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return time.Time{}, "", nil
	}
	if err != nil {
		return time.Time{}, "", mapErr(err, pinggu.ObjSettings)
	}
	return d.At.UTC(), d.Summary, nil
}
