package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type roundDoc struct {
	Code                 string         `bson:"_id"`
	Title                string         `bson:"title"`
	Intro                string         `bson:"intro"`
	Kind                 string         `bson:"kind"`
	Questionnaire        string         `bson:"questionnaire"`
	QuestionnaireVersion int            `bson:"questionnaireVersion"`
	Units                []string       `bson:"units"`
	Quotas               map[string]int `bson:"quotas"`
	OpensAt              time.Time      `bson:"opensAt"`
	ClosesAt             time.Time      `bson:"closesAt"`
	Timezone             string         `bson:"timezone"`
	CreatedAt            time.Time      `bson:"createdAt"`
	UpdatedAt            time.Time      `bson:"updatedAt"`
}

func newRoundDoc(r *pinggu.Round) roundDoc {
	return roundDoc{Code: r.Code, Title: r.Title, Intro: r.Intro, Kind: string(r.Kind),
		Questionnaire: r.Questionnaire, QuestionnaireVersion: r.QuestionnaireVersion,
		Units: r.Units, Quotas: r.Quotas, OpensAt: r.OpensAt, ClosesAt: r.ClosesAt,
		Timezone: r.Timezone, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func (d *roundDoc) round() *pinggu.Round {
	return &pinggu.Round{Code: d.Code, Title: d.Title, Intro: d.Intro, Kind: pinggu.RoundKind(d.Kind),
		Questionnaire: d.Questionnaire, QuestionnaireVersion: d.QuestionnaireVersion,
		Units: d.Units, Quotas: d.Quotas, OpensAt: d.OpensAt.UTC(), ClosesAt: d.ClosesAt.UTC(),
		Timezone: d.Timezone, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

// CreateRound inserts a new round; an existing code is a conflict.
func (s *Store) CreateRound(ctx context.Context, r *pinggu.Round) error {
	_, err := s.db.Collection(colRounds).InsertOne(ctx, newRoundDoc(r))
	return mapErr(err, "评估轮次"+r.Code)
}

// UpdateRound replaces a round, keeping its creation time. When
// ifUpdatedAt is not zero the write happens only if nobody changed the round
// since it was read, so two administrators cannot silently overwrite each other.
func (s *Store) UpdateRound(ctx context.Context, r *pinggu.Round, ifUpdatedAt time.Time) error {
	d := newRoundDoc(r)
	filter := bson.D{{Key: "_id", Value: r.Code}}
	if !ifUpdatedAt.IsZero() {
		filter = append(filter, bson.E{Key: "updatedAt", Value: ifUpdatedAt})
	}
	res, err := s.db.Collection(colRounds).UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{
		{Key: "title", Value: d.Title}, {Key: "intro", Value: d.Intro}, {Key: "kind", Value: d.Kind},
		{Key: "questionnaire", Value: d.Questionnaire}, {Key: "questionnaireVersion", Value: d.QuestionnaireVersion},
		{Key: "units", Value: d.Units}, {Key: "quotas", Value: d.Quotas},
		{Key: "opensAt", Value: d.OpensAt}, {Key: "closesAt", Value: d.ClosesAt},
		{Key: "timezone", Value: d.Timezone}, {Key: "updatedAt", Value: d.UpdatedAt},
	}}})
	if err != nil {
		return mapErr(err, "评估轮次")
	}
	if res.MatchedCount == 0 {
		if _, err := s.Round(ctx, r.Code); err != nil {
			return err
		}
		return pinggu.Errorf(pinggu.Conflict, "评估轮次%s已被他人修改，请刷新后重试", r.Code)
	}
	return nil
}

// Round returns one round by code.
func (s *Store) Round(ctx context.Context, code string) (*pinggu.Round, error) {
	var d roundDoc
	if err := s.db.Collection(colRounds).FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&d); err != nil {
		return nil, mapErr(err, "评估轮次"+code)
	}
	return d.round(), nil
}

// Rounds lists all rounds, newest opening first.
func (s *Store) Rounds(ctx context.Context) ([]*pinggu.Round, error) {
	cur, err := s.db.Collection(colRounds).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "opensAt", Value: -1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapErr(err, "评估轮次")
	}
	var docs []roundDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err, "评估轮次")
	}
	out := make([]*pinggu.Round, len(docs))
	for i := range docs {
		out[i] = docs[i].round()
	}
	return out, nil
}
