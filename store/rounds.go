package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type roundDoc struct {
	Code                 string                     `bson:"_id"`
	Title                string                     `bson:"title"`
	Intro                string                     `bson:"intro"`
	Kind                 string                     `bson:"kind"`
	Questionnaire        string                     `bson:"questionnaire"`
	QuestionnaireVersion int                        `bson:"questionnaireVersion"`
	Units                []string                   `bson:"units"`
	Quotas               map[string]int             `bson:"quotas"`
	QuotaMode            string                     `bson:"quotaMode"`
	QuotaModes           map[string]string          `bson:"quotaModes"`
	Strata               *pinggu.Strata             `bson:"strata"`
	Integrity            pinggu.Integrity           `bson:"integrity"`
	OpensAt              time.Time                  `bson:"opensAt"`
	ClosesAt             time.Time                  `bson:"closesAt"`
	Timezone             string                     `bson:"timezone"`
	Schedule             scheduleDoc                `bson:"schedule"`
	Scoring              pinggu.Scoring             `bson:"scoring"`
	Assessment           *pinggu.AssessmentSettings `bson:"assessment"`
	Midterm              *midtermDoc                `bson:"midterm"`
	Baseline             string                     `bson:"baseline,omitempty"`
	Listed               bool                       `bson:"listed,omitempty"`
	Status               string                     `bson:"status"`
	History              []transitionDoc            `bson:"history"`
	CreatedAt            time.Time                  `bson:"createdAt"`
	UpdatedAt            time.Time                  `bson:"updatedAt"`
}

type midtermDoc struct {
	Plans []string `bson:"plans"`
	AsOf  string   `bson:"asOf"`
	Delta float64  `bson:"delta"`
	Pass  *passDoc `bson:"pass,omitempty"`
}

type passDoc struct {
	Minimum          float64 `bson:"minimum"`
	Against          string  `bson:"against"`
	NoOverdueBinding bool    `bson:"noOverdueBinding"`
}

func newMidtermDoc(m *pinggu.MidtermSettings) *midtermDoc {
	if m == nil {
		return nil
	}
	d := &midtermDoc{Plans: m.Plans, AsOf: string(m.AsOf), Delta: m.Delta}
	if p := m.Pass; p != nil {
		d.Pass = &passDoc{Minimum: p.Minimum, Against: p.Against, NoOverdueBinding: p.NoOverdueBinding}
	}
	return d
}

func (d *midtermDoc) settings() *pinggu.MidtermSettings {
	if d == nil {
		return nil
	}
	m := &pinggu.MidtermSettings{Plans: d.Plans, AsOf: pinggu.Date(d.AsOf), Delta: d.Delta}
	if p := d.Pass; p != nil {
		m.Pass = &pinggu.PassRule{Minimum: p.Minimum, Against: p.Against, NoOverdueBinding: p.NoOverdueBinding}
	}
	return m
}

type scheduleDoc struct {
	CompileAt       time.Time   `bson:"compileAt"`
	Reminders       []time.Time `bson:"reminders"`
	ProgressMinutes int         `bson:"progressMinutes"`
}

type transitionDoc struct {
	From string    `bson:"from"`
	To   string    `bson:"to"`
	At   time.Time `bson:"at"`
	By   string    `bson:"by"`
	Note string    `bson:"note,omitempty"`
}

func newTransitionDoc(t pinggu.Transition) transitionDoc {
	return transitionDoc{From: string(t.From), To: string(t.To), At: t.At, By: t.By, Note: t.Note}
}

func newRoundDoc(r *pinggu.Round) roundDoc {
	d := roundDoc{Code: r.Code, Title: r.Title, Intro: r.Intro, Kind: string(r.Kind),
		Questionnaire: r.Questionnaire, QuestionnaireVersion: r.QuestionnaireVersion,
		Units: r.Units, Quotas: r.Quotas, QuotaMode: r.QuotaMode, QuotaModes: r.QuotaModes, Strata: r.Strata, Integrity: r.Integrity, OpensAt: r.OpensAt, ClosesAt: r.ClosesAt,
		Timezone: r.Timezone, Scoring: r.Scoring, Assessment: r.Assessment, Midterm: newMidtermDoc(r.Midterm), Baseline: r.Baseline, Listed: r.Listed, Status: string(r.Status),
		Schedule:  scheduleDoc{CompileAt: r.Schedule.CompileAt, Reminders: r.Schedule.Reminders, ProgressMinutes: r.Schedule.ProgressMinutes},
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, History: []transitionDoc{}} // an array, so $push works
	for _, t := range r.History {
		d.History = append(d.History, newTransitionDoc(t))
	}
	return d
}

func (d *roundDoc) round() *pinggu.Round {
	r := &pinggu.Round{Code: d.Code, Title: d.Title, Intro: d.Intro, Kind: pinggu.RoundKind(d.Kind),
		Questionnaire: d.Questionnaire, QuestionnaireVersion: d.QuestionnaireVersion,
		Units: d.Units, Quotas: d.Quotas, QuotaMode: d.QuotaMode, QuotaModes: d.QuotaModes, Strata: d.Strata, Integrity: d.Integrity, OpensAt: d.OpensAt.UTC(), ClosesAt: d.ClosesAt.UTC(),
		Timezone: d.Timezone, Scoring: d.Scoring, Assessment: d.Assessment, Midterm: d.Midterm.settings(), Baseline: d.Baseline, Listed: d.Listed, Status: pinggu.RoundStatus(d.Status),
		Schedule:  pinggu.Schedule{CompileAt: utc(d.Schedule.CompileAt), ProgressMinutes: d.Schedule.ProgressMinutes},
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	for _, t := range d.Schedule.Reminders {
		r.Schedule.Reminders = append(r.Schedule.Reminders, t.UTC())
	}
	if r.Status == "" {
		r.Status = pinggu.StatusDraft
	}
	for _, t := range d.History {
		r.History = append(r.History, pinggu.Transition{From: pinggu.RoundStatus(t.From), To: pinggu.RoundStatus(t.To),
			At: t.At.UTC(), By: t.By, Note: t.Note})
	}
	return r
}

// CreateRound inserts a new round; an existing code is a conflict.
func (s *Store) CreateRound(ctx context.Context, r *pinggu.Round) error {
	_, err := s.db.Collection(colRounds).InsertOne(ctx, newRoundDoc(r))
	return mapErr(err, pinggu.ObjRound, r.Code)
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
		{Key: "quotaMode", Value: d.QuotaMode}, {Key: "quotaModes", Value: d.QuotaModes}, {Key: "strata", Value: d.Strata}, {Key: "integrity", Value: d.Integrity},
		{Key: "opensAt", Value: d.OpensAt}, {Key: "closesAt", Value: d.ClosesAt},
		{Key: "timezone", Value: d.Timezone}, {Key: "schedule", Value: d.Schedule}, {Key: "scoring", Value: d.Scoring},
		{Key: "assessment", Value: d.Assessment}, {Key: "midterm", Value: d.Midterm}, {Key: "baseline", Value: d.Baseline},
		{Key: "listed", Value: d.Listed}, {Key: "updatedAt", Value: d.UpdatedAt},
	}}})
	if err != nil {
		return mapErr(err, pinggu.ObjRound)
	}
	if res.MatchedCount == 0 {
		if _, err := s.Round(ctx, r.Code); err != nil {
			return err
		}
		return pinggu.Clash(pinggu.ObjRound, r.Code, pinggu.ReasonChanged)
	}
	return nil
}

// TransitionRound moves a round to t.To if its status is one of from,
// recording t in its history. The write is conditional on the status read,
// so of two jobs or people racing, one wins and the other gets a conflict.
func (s *Store) TransitionRound(ctx context.Context, code string, from []pinggu.RoundStatus, t pinggu.Transition) (r *pinggu.Round, err error) {
	err = s.atomically(ctx, func(ctx context.Context) error {
		r, err = s.transitionRound(ctx, code, from, t)
		return err
	})
	return r, err
}

func (s *Store) transitionRound(ctx context.Context, code string, from []pinggu.RoundStatus, t pinggu.Transition) (*pinggu.Round, error) {
	for attempt := 0; attempt < 3; attempt++ {
		r, err := s.Round(ctx, code)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(from, r.Status) {
			return r, &pinggu.Error{Code: pinggu.Conflict, Object: &pinggu.Object{Kind: pinggu.ObjRound, ID: code},
				Err: &pinggu.StatusConflict{Round: code, From: r.Status, To: t.To}}
		}
		t.From = r.Status
		filter := bson.D{{Key: "_id", Value: code}, {Key: "status", Value: string(r.Status)}}
		if r.Status == pinggu.StatusDraft { // rounds written before statuses existed have none
			filter = bson.D{{Key: "_id", Value: code}, {Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{"draft", ""}}}}}
		}
		res, err := s.db.Collection(colRounds).UpdateOne(ctx, filter, bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: string(t.To)}}},
			{Key: "$push", Value: bson.D{{Key: "history", Value: newTransitionDoc(t)}}},
		})
		if err != nil {
			return nil, mapErr(err, pinggu.ObjRound)
		}
		if res.MatchedCount == 1 {
			r.Status = t.To
			r.History = append(r.History, t)
			// Every status change is in the audit log too, whoever made it.
			_ = pinggu.Audit(ctx, s, "round."+string(t.To), "round/"+code,
				fmt.Sprintf("%s → %s%s", pinggu.StatusLabel(t.From), pinggu.StatusLabel(t.To), note(t.Note)))
			return r, nil
		}
	}
	return nil, pinggu.Clash(pinggu.ObjRound, code, pinggu.ReasonBusy)
}

func note(n string) string {
	if n == "" {
		return ""
	}
	return "（" + n + "）"
}

// Round returns one round by code.
func (s *Store) Round(ctx context.Context, code string) (*pinggu.Round, error) {
	var d roundDoc
	if err := s.db.Collection(colRounds).FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&d); err != nil {
		return nil, mapErr(err, pinggu.ObjRound, code)
	}
	return d.round(), nil
}

// Rounds lists all rounds, newest opening first.
func (s *Store) Rounds(ctx context.Context) ([]*pinggu.Round, error) {
	return findAll(ctx, s.db.Collection(colRounds), pinggu.ObjRound, bson.D{}, (*roundDoc).round,
		options.Find().SetSort(bson.D{{Key: "opensAt", Value: -1}, {Key: "_id", Value: 1}}))
}
