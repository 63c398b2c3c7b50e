package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type responseDoc struct {
	ID                   string              `bson:"_id"` // the submission id
	Round                string              `bson:"round"`
	Unit                 string              `bson:"unit"`
	Questionnaire        string              `bson:"questionnaire"`
	QuestionnaireVersion int                 `bson:"questionnaireVersion"`
	Answers              map[string][]string `bson:"answers"`
	Channel              string              `bson:"channel"`
	Device               string              `bson:"device,omitempty"`
	SubmittedAt          time.Time           `bson:"submittedAt"`
	DurationMs           int64               `bson:"durationMs"`
	IPHash               string              `bson:"ipHash,omitempty"`
	Flags                []string            `bson:"flags,omitempty"`
}

func (d *responseDoc) response() pinggu.Response {
	return pinggu.Response{ID: d.ID, Round: d.Round, Unit: d.Unit, Questionnaire: d.Questionnaire,
		QuestionnaireVersion: d.QuestionnaireVersion, Answers: d.Answers, Channel: pinggu.Channel(d.Channel),
		Device: d.Device, SubmittedAt: d.SubmittedAt.UTC(), DurationMs: d.DurationMs, IPHash: d.IPHash, Flags: d.Flags}
}

// InsertResponse stores a response under its submission id. It reports
// created=false, without error, when that id is already stored: a double tap
// or a retry, which must leave exactly one response behind.
func (s *Store) InsertResponse(ctx context.Context, r *pinggu.Response) (created bool, err error) {
	_, err = s.db.Collection(colResponses).InsertOne(ctx, responseDoc{
		ID: r.ID, Round: r.Round, Unit: r.Unit, Questionnaire: r.Questionnaire,
		QuestionnaireVersion: r.QuestionnaireVersion, Answers: r.Answers, Channel: string(r.Channel),
		Device: r.Device, SubmittedAt: r.SubmittedAt, DurationMs: r.DurationMs, IPHash: r.IPHash, Flags: r.Flags,
	})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, mapErr(err, "答卷")
	}
	return true, nil
}

// EachResponse streams the responses of a round in the collection's natural
// order (no sort: a sort the embedded backend cannot push down would load
// the whole collection into memory); it holds one batch at a time. Results
// computed from it must not depend on the order. Filtered scans are slow on
// the embedded backend, so only background work and tests should call it.
func (s *Store) EachResponse(ctx context.Context, round string, fn func(*pinggu.Response) error) error {
	cur, err := s.db.Collection(colResponses).Find(ctx, bson.D{{Key: "round", Value: round}},
		options.Find().SetBatchSize(500))
	if err != nil {
		return mapErr(err, "答卷")
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d responseDoc
		if err := cur.Decode(&d); err != nil {
			return mapErr(err, "答卷")
		}
		r := d.response()
		if err := fn(&r); err != nil {
			return err
		}
	}
	return mapErr(cur.Err(), "答卷")
}

// Response reads one response by id (a full scan on the embedded backend:
// not for hot paths).
func (s *Store) Response(ctx context.Context, id string) (*pinggu.Response, error) {
	var d responseDoc
	if err := s.db.Collection(colResponses).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, mapErr(err, "答卷")
	}
	r := d.response()
	return &r, nil
}

// CountResponses counts the stored responses of a round (a scan: for
// background checks and tests, never per request).
func (s *Store) CountResponses(ctx context.Context, round string) (int64, error) {
	n, err := s.db.Collection(colResponses).CountDocuments(ctx, bson.D{{Key: "round", Value: round}})
	return n, mapErr(err, "答卷")
}

// InsertResponses stores many responses in one round trip (imports,
// benchmarks). Ids already stored are skipped, not errors; it returns how
// many were new. Tallies are not touched: the caller counts what it adds.
func (s *Store) InsertResponses(ctx context.Context, rs []*pinggu.Response) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	docs := make([]any, len(rs))
	for i, r := range rs {
		docs[i] = responseDoc{ID: r.ID, Round: r.Round, Unit: r.Unit, Questionnaire: r.Questionnaire,
			QuestionnaireVersion: r.QuestionnaireVersion, Answers: r.Answers, Channel: string(r.Channel),
			Device: r.Device, SubmittedAt: r.SubmittedAt, DurationMs: r.DurationMs, IPHash: r.IPHash}
	}
	res, err := s.db.Collection(colResponses).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) {
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we) {
				return 0, mapErr(err, "答卷")
			}
		}
		return len(rs) - len(bwe.WriteErrors), nil
	}
	if err != nil {
		return 0, mapErr(err, "答卷")
	}
	return len(res.InsertedIDs), nil
}

// SeeDevice records that a device answered a round; it reports false when
// the device had answered before. An insert on a unique key, so two
// concurrent first answers cannot both count as first.
func (s *Store) SeeDevice(ctx context.Context, round, device string) (first bool, err error) {
	_, err = s.db.Collection(colDevices).InsertOne(ctx, bson.D{{Key: "_id", Value: round + "/" + device}})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, mapErr(err, "设备")
}

// ForgetDevice undoes SeeDevice for a response that was not stored.
func (s *Store) ForgetDevice(ctx context.Context, round, device string) error {
	_, err := s.db.Collection(colDevices).DeleteOne(ctx, bson.D{{Key: "_id", Value: round + "/" + device}})
	return mapErr(err, "设备")
}
