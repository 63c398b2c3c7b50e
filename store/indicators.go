package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

// indicatorSystemDoc is one immutable version of an indicator system.
type indicatorSystemDoc struct {
	ID         string             `bson:"_id"` // code@version
	Code       string             `bson:"code"`
	Version    int                `bson:"version"`
	Name       string             `bson:"name"`
	Indicators []pinggu.Indicator `bson:"indicators"`
	CreatedAt  time.Time          `bson:"createdAt"`
}

// AddIndicatorSystem stores s as version 1, or as the next version when
// the code exists. Of two concurrent saves one gets a conflict.
func (s *Store) AddIndicatorSystem(ctx context.Context, sys *pinggu.IndicatorSystem) error {
	sys.Version = 1
	if latest, err := s.IndicatorSystem(ctx, sys.Code, 0); err == nil {
		sys.Version = latest.Version + 1
	} else if pinggu.ErrorCode(err) != pinggu.NotFound {
		return err
	}
	_, err := s.db.Collection(colIndicatorSystems).InsertOne(ctx, indicatorSystemDoc{
		ID: fmt.Sprintf("%s@%d", sys.Code, sys.Version), Code: sys.Code, Version: sys.Version, Name: sys.Name,
		Indicators: sys.Indicators, CreatedAt: sys.CreatedAt})
	return mapObject(err, pinggu.Object{Kind: pinggu.ObjIndicatorSystem, ID: sys.Code, Version: sys.Version})
}

// IndicatorSystem returns a version of an indicator system, 0 for the latest.
func (s *Store) IndicatorSystem(ctx context.Context, code string, version int) (*pinggu.IndicatorSystem, error) {
	var d indicatorSystemDoc
	if err := s.findVersion(ctx, colIndicatorSystems, code, version, &d); err != nil {
		return nil, mapErr(err, pinggu.ObjIndicatorSystem, code)
	}
	return d.system(), nil
}

func (d *indicatorSystemDoc) system() *pinggu.IndicatorSystem {
	return &pinggu.IndicatorSystem{Code: d.Code, Version: d.Version, Name: d.Name, Indicators: d.Indicators, CreatedAt: d.CreatedAt.UTC()}
}

// IndicatorSystems lists the latest version of each indicator system.
func (s *Store) IndicatorSystems(ctx context.Context) ([]*pinggu.IndicatorSystem, error) {
	return latestVersions(ctx, s.db.Collection(colIndicatorSystems), pinggu.ObjIndicatorSystem,
		func(d *indicatorSystemDoc) string { return d.Code }, (*indicatorSystemDoc).system)
}

type inputDoc struct {
	ID        string `bson:"_id"` // round/unit/indicator
	Round     string `bson:"round"`
	Unit      string `bson:"unit"`
	Indicator string `bson:"indicator"`
	ValueDoc  `bson:",inline"`
	By        string           `bson:"by"`
	At        time.Time        `bson:"at"`
	Confirmed *confirmationDoc `bson:"confirmed"`
	History   []inputChangeDoc `bson:"history"`
	Version   int              `bson:"version"`
}

type ValueDoc struct {
	Value   *float64 `bson:"value"`
	Count   *int     `bson:"count"`
	Score   *float64 `bson:"score"`
	Comment string   `bson:"comment"`
}

type confirmationDoc struct {
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
	Reason string    `bson:"reason"`
	Was    *ValueDoc `bson:"was"`
}

type inputChangeDoc struct {
	Action string    `bson:"action"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
	Old    *ValueDoc `bson:"old"`
	New    ValueDoc  `bson:"new"`
	Reason string    `bson:"reason"`
}

func toValueDoc(v *pinggu.InputValue) *ValueDoc {
	if v == nil {
		return nil
	}
	return &ValueDoc{Value: v.Value, Count: v.Count, Score: v.Score, Comment: v.Comment}
}

func (d *ValueDoc) value() *pinggu.InputValue {
	if d == nil {
		return nil
	}
	return &pinggu.InputValue{Value: d.Value, Count: d.Count, Score: d.Score, Comment: d.Comment}
}

// SetInput records a reviewer's entry for a leaf of a unit (one document
// per round, unit and indicator) if the stored one is still the one read
// (was: its version, 0 when there was none).
func (s *Store) SetInput(ctx context.Context, in *pinggu.Input, was int) error {
	d := inputDoc{ID: in.Round + "/" + in.Unit + "/" + in.Indicator, Round: in.Round, Unit: in.Unit, Indicator: in.Indicator,
		ValueDoc: *toValueDoc(&in.InputValue), By: in.By, At: in.At, Version: was + 1}
	if c := in.Confirmed; c != nil {
		d.Confirmed = &confirmationDoc{By: c.By, At: c.At, Reason: c.Reason, Was: toValueDoc(c.Was)}
	}
	for _, h := range in.History {
		d.History = append(d.History, inputChangeDoc{Action: h.Action, By: h.By, At: h.At, Old: toValueDoc(h.Old), New: *toValueDoc(&h.New), Reason: h.Reason})
	}
	if err := saveVersioned(ctx, s.db.Collection(colInputs), pinggu.ObjInput, d.ID, was, d); err != nil {
		return err
	}
	in.Version = d.Version
	return nil
}

// Inputs lists a round's reviewers' entries (one unit's when unit is set).
func (s *Store) Inputs(ctx context.Context, round, unit string) ([]pinggu.Input, error) {
	return findAll(ctx, s.db.Collection(colInputs), pinggu.ObjInput, roundUnit(round, unit), func(d *inputDoc) pinggu.Input {
		in := pinggu.Input{Round: d.Round, Unit: d.Unit, Indicator: d.Indicator, By: d.By, At: d.At.UTC(), Version: d.Version,
			InputValue: *d.ValueDoc.value()}
		if c := d.Confirmed; c != nil {
			in.Confirmed = &pinggu.Confirmation{By: c.By, At: c.At.UTC(), Reason: c.Reason, Was: c.Was.value()}
		}
		for _, h := range d.History {
			in.History = append(in.History, pinggu.InputChange{Action: h.Action, By: h.By, At: h.At.UTC(), Old: h.Old.value(), New: *h.New.value(), Reason: h.Reason})
		}
		return in
	}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

// roundUnit filters by round and, when unit is not empty, by unit.
func roundUnit(round, unit string) bson.D {
	filter := bson.D{{Key: "round", Value: round}}
	if unit != "" {
		filter = append(filter, bson.E{Key: "unit", Value: unit})
	}
	return filter
}

type adjustmentDoc struct {
	ID     string    `bson:"_id"`
	Round  string    `bson:"round"`
	Unit   string    `bson:"unit"`
	Kind   string    `bson:"kind"`
	Points float64   `bson:"points"`
	Rule   string    `bson:"rule"`
	Basis  string    `bson:"basis"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
}

// AddAdjustment records a bonus, deduction or veto event.
func (s *Store) AddAdjustment(ctx context.Context, a *pinggu.Adjustment) error {
	_, err := s.db.Collection(colAdjustments).InsertOne(ctx, adjustmentDoc{ID: a.ID, Round: a.Round, Unit: a.Unit,
		Kind: string(a.Kind), Points: a.Points, Rule: a.Rule, Basis: a.Basis, By: a.By, At: a.At})
	return mapErr(err, pinggu.ObjAdjustment)
}

// DeleteAdjustment removes an event of a round.
func (s *Store) DeleteAdjustment(ctx context.Context, round, id string) error {
	res, err := s.db.Collection(colAdjustments).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "round", Value: round}})
	if err != nil {
		return mapErr(err, pinggu.ObjAdjustment)
	}
	if res.DeletedCount == 0 {
		return pinggu.Missing(pinggu.ObjAdjustment, id)
	}
	return nil
}

// Adjustments lists a round's events (all units when unit is empty), oldest first.
func (s *Store) Adjustments(ctx context.Context, round, unit string) ([]pinggu.Adjustment, error) {
	return findAll(ctx, s.db.Collection(colAdjustments), pinggu.ObjAdjustment, roundUnit(round, unit), func(d *adjustmentDoc) pinggu.Adjustment {
		return pinggu.Adjustment{ID: d.ID, Round: d.Round, Unit: d.Unit, Kind: pinggu.AdjustmentKind(d.Kind),
			Points: d.Points, Rule: d.Rule, Basis: d.Basis, By: d.By, At: d.At.UTC()}
	}, options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
}
