package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

// questionnaireDoc is one version of a questionnaire; versions are never
// changed once written, so a round that froze one keeps exactly what it had.
type questionnaireDoc struct {
	ID         string             `bson:"_id"` // code@version
	Code       string             `bson:"code"`
	Version    int                `bson:"version"`
	Title      string             `bson:"title"`
	Intro      string             `bson:"intro"`
	Dimensions []pinggu.Dimension `bson:"dimensions,omitempty"`
	Questions  []pinggu.Question  `bson:"questions"`
	CreatedAt  time.Time          `bson:"createdAt"`
}

func (d *questionnaireDoc) questionnaire() *pinggu.Questionnaire {
	return &pinggu.Questionnaire{Code: d.Code, Version: d.Version, Title: d.Title, Intro: d.Intro,
		Dimensions: d.Dimensions, Questions: d.Questions, CreatedAt: d.CreatedAt}
}

func (s *Store) insertQuestionnaire(ctx context.Context, q *pinggu.Questionnaire) error {
	_, err := s.db.Collection(colQuestionnaires).InsertOne(ctx, questionnaireDoc{
		ID: fmt.Sprintf("%s@%d", q.Code, q.Version), Code: q.Code, Version: q.Version,
		Title: q.Title, Intro: q.Intro, Dimensions: q.Dimensions, Questions: q.Questions, CreatedAt: q.CreatedAt,
	})
	return mapObject(err, pinggu.Object{Kind: pinggu.ObjQuestionnaire, ID: q.Code, Version: q.Version})
}

// CreateQuestionnaire stores version 1 of a new questionnaire.
func (s *Store) CreateQuestionnaire(ctx context.Context, q *pinggu.Questionnaire) error {
	q.Version = 1
	return s.insertQuestionnaire(ctx, q)
}

// AddQuestionnaireVersion stores q as the next version of an existing
// questionnaire. Two concurrent edits cannot both win: the loser collides on
// the version's key and gets a conflict.
func (s *Store) AddQuestionnaireVersion(ctx context.Context, q *pinggu.Questionnaire) error {
	latest, err := s.Questionnaire(ctx, q.Code, 0)
	if err != nil {
		return err
	}
	q.Version = latest.Version + 1
	return s.insertQuestionnaire(ctx, q)
}

// Questionnaire returns one version of a questionnaire; version 0 means the latest.
func (s *Store) Questionnaire(ctx context.Context, code string, version int) (*pinggu.Questionnaire, error) {
	var d questionnaireDoc
	if err := s.findVersion(ctx, colQuestionnaires, code, version, &d); err != nil {
		return nil, mapErr(err, pinggu.ObjQuestionnaire, code)
	}
	return d.questionnaire(), nil
}

// findVersion decodes version of code from a collection of versioned
// documents ("code@version" ids); version 0 is the latest.
func (s *Store) findVersion(ctx context.Context, col, code string, version int, out any) error {
	c := s.db.Collection(col)
	if version > 0 {
		return c.FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("%s@%d", code, version)}}).Decode(out)
	}
	return c.FindOne(ctx, bson.D{{Key: "code", Value: code}},
		options.FindOne().SetSort(bson.D{{Key: "version", Value: -1}})).Decode(out)
}

// Questionnaires lists the latest version of every questionnaire, by code.
func (s *Store) Questionnaires(ctx context.Context) ([]*pinggu.Questionnaire, error) {
	return latestVersions(ctx, s.db.Collection(colQuestionnaires), pinggu.ObjQuestionnaire,
		func(d *questionnaireDoc) string { return d.Code }, (*questionnaireDoc).questionnaire)
}
