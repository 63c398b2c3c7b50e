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

// responseKey is a stored response's key: its round and its submission id.
// A submission id is the client's, unique per round: the same id in two
// rounds is two responses, and a retry within its round is the same one.
// Neither part can hold a "/".
func responseKey(round, sid string) string { return round + "/" + sid }

type responseDoc struct {
	ID                   string              `bson:"_id"` // responseKey(round, sid)
	SID                  string              `bson:"sid"` // the submission id
	Round                string              `bson:"round"`
	Unit                 string              `bson:"unit"`
	Questionnaire        string              `bson:"questionnaire"`
	QuestionnaireVersion int                 `bson:"questionnaireVersion"`
	Answers              map[string][]string `bson:"answers"`
	Channel              string              `bson:"channel"`
	Tag                  string              `bson:"tag,omitempty"`
	Device               string              `bson:"device,omitempty"`
	SubmittedAt          time.Time           `bson:"submittedAt"`
	DurationMs           int64               `bson:"durationMs"`
	IPHash               string              `bson:"ipHash,omitempty"`
	Flags                []string            `bson:"flags,omitempty"`
}

func newResponseDoc(r *pinggu.Response) responseDoc {
	return responseDoc{ID: responseKey(r.Round, r.ID), SID: r.ID, Round: r.Round, Unit: r.Unit, Questionnaire: r.Questionnaire,
		QuestionnaireVersion: r.QuestionnaireVersion, Answers: r.Answers, Channel: string(r.Channel), Tag: r.Tag,
		Device: r.Device, SubmittedAt: r.SubmittedAt, DurationMs: r.DurationMs, IPHash: r.IPHash, Flags: r.Flags}
}

func (d *responseDoc) response() pinggu.Response {
	return pinggu.Response{ID: d.SID, Round: d.Round, Unit: d.Unit, Questionnaire: d.Questionnaire,
		QuestionnaireVersion: d.QuestionnaireVersion, Answers: d.Answers, Channel: pinggu.Channel(d.Channel), Tag: d.Tag,
		Device: d.Device, SubmittedAt: d.SubmittedAt.UTC(), DurationMs: d.DurationMs, IPHash: d.IPHash, Flags: d.Flags}
}

// InsertResponse stores a response under its submission id. It reports
// created=false, without error, when that id is already stored: a double tap
// or a retry, which must leave exactly one response behind. A flagged
// response also gets its review copy (see RecordFlagged), so reviewing
// never scans the responses.
func (s *Store) InsertResponse(ctx context.Context, r *pinggu.Response) (created bool, err error) {
	_, err = s.db.Collection(colResponses).InsertOne(ctx, newResponseDoc(r))
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	if err != nil {
		return false, mapErr(err, pinggu.ObjResponse)
	}
	// The response is the record: a missing review copy is filled in by
	// the next compile, so this does not fail a stored response.
	_ = s.RecordFlagged(context.WithoutCancel(ctx), []*pinggu.Response{r})
	return true, nil
}

// InsertResponseBatch stores the responses of concurrent submissions in
// one unordered InsertMany — one commit for all of them on the embedded
// backend, one round trip to MongoDB — and says of each what InsertResponse
// would have: created[i] is false for an id already stored, errs[i] is its
// own write error. When the command itself fails every response gets that
// error: none is reported stored that might not be.
func (s *Store) InsertResponseBatch(ctx context.Context, rs []*pinggu.Response) (created []bool, errs []error) {
	docs := make([]any, len(rs))
	for i, r := range rs {
		docs[i] = newResponseDoc(r)
	}
	created, errs = insertEach(ctx, s.db.Collection(colResponses), docs, pinggu.ObjResponse)
	var stored []*pinggu.Response
	for i, r := range rs {
		if created[i] {
			stored = append(stored, r)
		}
	}
	// As in InsertResponse: the review copies never fail a stored response.
	_ = s.RecordFlagged(context.WithoutCancel(ctx), stored)
	return created, errs
}

// insertEach inserts documents in one unordered InsertMany and tells of
// each whether it was new (a duplicate key is not an error) or its own
// error; a failed command fails every one.
func insertEach(ctx context.Context, col collection, docs []any, kind pinggu.ObjectKind) (created []bool, errs []error) {
	created, errs = make([]bool, len(docs)), make([]error, len(docs))
	if len(docs) == 0 {
		return created, errs
	}
	_, err := col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if err != nil && !(errors.As(err, &bwe) && bwe.WriteConcernError == nil) {
		for i := range docs {
			errs[i] = mapErr(err, kind)
		}
		return created, errs
	}
	for i := range docs {
		created[i] = true
	}
	for _, we := range bwe.WriteErrors {
		if we.Index < 0 || we.Index >= len(docs) {
			continue
		}
		created[we.Index] = false
		if !mongo.IsDuplicateKeyError(we) {
			errs[we.Index] = mapErr(we, kind)
		}
	}
	return created, errs
}

// DeleteResponse takes back a response just stored (with its review copy),
// for a submission that then found its unit's quota full.
func (s *Store) DeleteResponse(ctx context.Context, round, id string) error {
	if _, err := s.db.Collection(colResponses).DeleteOne(ctx, bson.D{{Key: "_id", Value: responseKey(round, id)}}); err != nil {
		return mapErr(err, pinggu.ObjResponse, id)
	}
	_, err := s.db.Collection(colFlagged).DeleteOne(ctx, bson.D{{Key: "_id", Value: responseKey(round, id)}})
	return mapErr(err, pinggu.ObjFlagged, id)
}

// EachResponse streams the responses of a round in the collection's natural
// order (no sort: a sort the embedded backend cannot push down would load
// the whole collection into memory); it holds one batch at a time. Results
// computed from it must not depend on the order. Filtered scans are slow on
// the embedded backend, so only background work and tests should call it.
// Documents are decoded straight from their raw bytes (decodeResponse):
// the driver's reflection cost more than the scan itself.
func (s *Store) EachResponse(ctx context.Context, round string, fn func(*pinggu.Response) error) error {
	d := responseDecoder{strings: map[string]string{}}
	return s.ScanResponses(ctx, round, func(raw bson.Raw) error {
		var r pinggu.Response
		if err := d.decode(raw, &r); err != nil {
			return mapErr(err, pinggu.ObjResponse)
		}
		return fn(&r)
	})
}

// ScanResponses is the raw cursor scan under EachResponse: each stored
// response of a round as the driver hands it over, undecoded. The
// benchmarks time it beside the compile and the export, as their floor.
func (s *Store) ScanResponses(ctx context.Context, round string, fn func(bson.Raw) error) error {
	cur, err := s.db.Collection(colResponses).Find(ctx, bson.D{{Key: "round", Value: round}},
		options.Find().SetBatchSize(500))
	if err != nil {
		return mapErr(err, pinggu.ObjResponse)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		if err := fn(cur.Current); err != nil {
			return err
		}
	}
	return mapErr(cur.Err(), pinggu.ObjResponse)
}

// Response reads one response of a round by its submission id (a full
// scan on the embedded backend: not for hot paths).
func (s *Store) Response(ctx context.Context, round, id string) (*pinggu.Response, error) {
	var d responseDoc
	if err := s.db.Collection(colResponses).FindOne(ctx, bson.D{{Key: "_id", Value: responseKey(round, id)}}).Decode(&d); err != nil {
		return nil, mapErr(err, pinggu.ObjResponse, id)
	}
	r := d.response()
	return &r, nil
}

// CountResponses counts the stored responses of a round (a scan: for
// background checks and tests, never per request).
func (s *Store) CountResponses(ctx context.Context, round string) (int64, error) {
	n, err := s.db.Collection(colResponses).CountDocuments(ctx, bson.D{{Key: "round", Value: round}})
	return n, mapErr(err, pinggu.ObjResponse)
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
		docs[i] = newResponseDoc(r)
	}
	res, err := s.db.Collection(colResponses).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) {
		if !allDuplicates(bwe) {
			return 0, mapErr(err, pinggu.ObjResponse)
		}
		return len(rs) - len(bwe.WriteErrors), s.RecordFlagged(ctx, rs)
	}
	if err != nil {
		return 0, mapErr(err, pinggu.ObjResponse)
	}
	return len(res.InsertedIDs), s.RecordFlagged(ctx, rs)
}

// SeeDevice records that a device answered a round; it reports false when
// the device had answered before. An insert on a unique key, so two
// concurrent first answers cannot both count as first.
func (s *Store) SeeDevice(ctx context.Context, round, device string) (first bool, err error) {
	_, err = s.db.Collection(colDevices).InsertOne(ctx, bson.D{{Key: "_id", Value: round + "/" + device}})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, mapErr(err, pinggu.ObjDevice)
}

// ForgetDevice undoes SeeDevice for a response that was not stored.
func (s *Store) ForgetDevice(ctx context.Context, round, device string) error {
	_, err := s.db.Collection(colDevices).DeleteOne(ctx, bson.D{{Key: "_id", Value: round + "/" + device}})
	return mapErr(err, pinggu.ObjDevice)
}

// SeeDevices is SeeDevice for the responses of a batch (their round and
// device), in one insert: first[i] is false when the device had answered
// the round before (in this batch too).
func (s *Store) SeeDevices(ctx context.Context, rs []*pinggu.Response) (first []bool, errs []error) {
	docs := make([]any, len(rs))
	for i, r := range rs {
		docs[i] = bson.D{{Key: "_id", Value: r.Round + "/" + r.Device}}
	}
	return insertEach(ctx, s.db.Collection(colDevices), docs, pinggu.ObjDevice)
}

// ForgetDevices undoes SeeDevices for responses that were not stored.
func (s *Store) ForgetDevices(ctx context.Context, rs []*pinggu.Response) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make(bson.A, len(rs))
	for i, r := range rs {
		ids[i] = r.Round + "/" + r.Device
	}
	_, err := s.db.Collection(colDevices).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	return mapErr(err, pinggu.ObjDevice)
}

// AddInvitations stores new single-use codes for a unit of a round.
func (s *Store) AddInvitations(ctx context.Context, round, unit string, codes []string, at time.Time) error {
	docs := make([]any, len(codes))
	for i, c := range codes {
		docs[i] = bson.D{{Key: "_id", Value: round + "/" + c}, {Key: "round", Value: round}, {Key: "unit", Value: unit},
			{Key: "code", Value: c}, {Key: "createdAt", Value: at}}
	}
	_, err := s.db.Collection(colInvitations).InsertMany(ctx, docs)
	return mapErr(err, pinggu.ObjInvitation)
}

// InvitationUnit returns the unit a code of a round was made for.
func (s *Store) InvitationUnit(ctx context.Context, round, code string) (string, error) {
	var d struct {
		Unit string `bson:"unit"`
	}
	if err := s.db.Collection(colInvitations).FindOne(ctx, bson.D{{Key: "_id", Value: round + "/" + code}}).Decode(&d); err != nil {
		return "", mapErr(err, pinggu.ObjInvitation)
	}
	return d.Unit, nil
}

// Invitations lists a unit's codes and, for used ones, the response.
func (s *Store) Invitations(ctx context.Context, round, unit string) (codes []string, usedBy map[string]string, err error) {
	cur, err := s.db.Collection(colInvitations).Find(ctx, bson.D{{Key: "round", Value: round}, {Key: "unit", Value: unit}},
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, nil, mapErr(err, pinggu.ObjInvitation)
	}
	var docs []struct {
		Code string `bson:"code"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, nil, mapErr(err, pinggu.ObjInvitation)
	}
	usedBy = map[string]string{}
	rc, err := s.db.Collection(colRedemptions).Find(ctx, bson.D{{Key: "round", Value: round}})
	if err != nil {
		return nil, nil, mapErr(err, pinggu.ObjInvitation)
	}
	var used []struct {
		Code string `bson:"code"`
		SID  string `bson:"sid"`
	}
	if err := rc.All(ctx, &used); err != nil {
		return nil, nil, mapErr(err, pinggu.ObjInvitation)
	}
	for _, u := range used {
		usedBy[u.Code] = u.SID
	}
	for _, d := range docs {
		codes = append(codes, d.Code)
	}
	return codes, usedBy, nil
}

// Redeem uses a code for a submission, once: an insert on the code's key,
// so of concurrent redemptions exactly one wins. Redeeming again with the
// same submission id is the same redemption (a retry), not a second use.
func (s *Store) Redeem(ctx context.Context, round, code, sid string) (pinggu.Redemption, error) {
	col := s.db.Collection(colRedemptions)
	_, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: round + "/" + code}, {Key: "round", Value: round},
		{Key: "code", Value: code}, {Key: "sid", Value: sid}})
	if err == nil {
		return pinggu.CodeRedeemed, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return pinggu.CodeTaken, mapErr(err, pinggu.ObjInvitation)
	}
	var d struct {
		SID string `bson:"sid"`
	}
	if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: round + "/" + code}}).Decode(&d); err != nil {
		return pinggu.CodeTaken, mapErr(err, pinggu.ObjInvitation)
	}
	if d.SID == sid {
		return pinggu.CodeHeld, nil
	}
	return pinggu.CodeTaken, nil
}

// Unredeem gives a code back when its response was not stored.
func (s *Store) Unredeem(ctx context.Context, round, code, sid string) error {
	_, err := s.db.Collection(colRedemptions).DeleteOne(ctx, bson.D{{Key: "_id", Value: round + "/" + code}, {Key: "sid", Value: sid}})
	return mapErr(err, pinggu.ObjInvitation)
}
