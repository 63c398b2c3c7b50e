package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type selfEntryDoc struct {
	ID          string `bson:"_id"` // round/unit/indicator
	Round       string `bson:"round"`
	Unit        string `bson:"unit"`
	Indicator   string `bson:"indicator"`
	ValueDoc    `bson:",inline"`
	Explanation string            `bson:"explanation"`
	Evidence    []pinggu.Evidence `bson:"evidence"`
	State       string            `bson:"state"`
	Return      *noteDoc          `bson:"return"`
	By          string            `bson:"by"`
	At          time.Time         `bson:"at"`
	Version     int               `bson:"version"`
}

type noteDoc struct {
	Text string    `bson:"text"`
	By   string    `bson:"by"`
	At   time.Time `bson:"at"`
}

type selfSheetDoc struct {
	ID          string    `bson:"_id"` // round/unit
	Round       string    `bson:"round"`
	Unit        string    `bson:"unit"`
	State       string    `bson:"state"`
	SubmittedBy string    `bson:"submittedBy"`
	SubmittedAt time.Time `bson:"submittedAt"`
	Version     int       `bson:"version"`
}

func selfEntryKey(round, unit, indicator string) string { return round + "/" + unit + "/" + indicator }

// SaveSelfEntry writes a unit's self-assessment of a leaf if the stored
// one is still the one read (was: its version, 0 when there was none),
// and counts the version up; a change in between is a conflict.
func (s *Store) SaveSelfEntry(ctx context.Context, e *pinggu.SelfEntry, was int) error {
	d := selfEntryDoc{ID: selfEntryKey(e.Round, e.Unit, e.Indicator), Round: e.Round, Unit: e.Unit, Indicator: e.Indicator,
		ValueDoc: *toValueDoc(&e.InputValue), Explanation: e.Explanation, Evidence: e.Evidence,
		State: string(e.State), By: e.By, At: e.At, Version: was + 1}
	if e.Return != nil {
		d.Return = &noteDoc{Text: e.Return.Text, By: e.Return.By, At: e.Return.At}
	}
	if err := saveVersioned(ctx, s.db.Collection(colSelfEntries), pinggu.ObjSelfEntry, d.ID, was, d); err != nil {
		return err
	}
	e.Version = d.Version
	return nil
}

// SelfEntries lists a unit's self-assessments (every unit's when unit is
// empty), by indicator.
func (s *Store) SelfEntries(ctx context.Context, round, unit string) ([]pinggu.SelfEntry, error) {
	return findAll(ctx, s.db.Collection(colSelfEntries), pinggu.ObjSelfEntry, roundUnit(round, unit), func(d *selfEntryDoc) pinggu.SelfEntry {
		e := pinggu.SelfEntry{Round: d.Round, Unit: d.Unit, Indicator: d.Indicator,
			InputValue:  *d.ValueDoc.value(),
			Explanation: d.Explanation, Evidence: d.Evidence, State: pinggu.EntryState(d.State), By: d.By, At: d.At.UTC(), Version: d.Version}
		if d.Return != nil {
			e.Return = &pinggu.Note{Text: d.Return.Text, By: d.Return.By, At: d.Return.At.UTC()}
		}
		return e
	}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

// SetSelfEntryStates moves a unit's entries in any of the states from to
// state to, in one update (a submission: drafts and answered returns
// become submitted).
func (s *Store) SetSelfEntryStates(ctx context.Context, round, unit string, from []pinggu.EntryState, to pinggu.EntryState) error {
	states := make(bson.A, len(from))
	for i, f := range from {
		states[i] = string(f)
	}
	_, err := s.db.Collection(colSelfEntries).UpdateMany(ctx,
		bson.D{{Key: "round", Value: round}, {Key: "unit", Value: unit}, {Key: "state", Value: bson.D{{Key: "$in", Value: states}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: string(to)}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
	return mapErr(err, pinggu.ObjSelfEntry)
}

// SelfSheet reads the state of a unit's self-assessment; a unit that has
// not begun has the zero sheet (version 0).
func (s *Store) SelfSheet(ctx context.Context, round, unit string) (pinggu.SelfSheet, error) {
	var d selfSheetDoc
	err := s.db.Collection(colSelfSheets).FindOne(ctx, bson.D{{Key: "_id", Value: round + "/" + unit}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return pinggu.SelfSheet{Round: round, Unit: unit}, nil
	}
	if err != nil {
		return pinggu.SelfSheet{}, mapErr(err, pinggu.ObjSelfSheet)
	}
	return selfSheet(&d), nil
}

func selfSheet(d *selfSheetDoc) pinggu.SelfSheet {
	return pinggu.SelfSheet{Round: d.Round, Unit: d.Unit, State: pinggu.SheetState(d.State), SubmittedBy: d.SubmittedBy,
		SubmittedAt: d.SubmittedAt.UTC(), Version: d.Version}
}

// SelfSheets lists the sheets of a round's units that have begun.
func (s *Store) SelfSheets(ctx context.Context, round string) ([]pinggu.SelfSheet, error) {
	return findAll(ctx, s.db.Collection(colSelfSheets), pinggu.ObjSelfSheet, bson.D{{Key: "round", Value: round}}, selfSheet,
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

// SaveSelfSheet writes a sheet's state if the stored one is still the one
// read (was), as SaveSelfEntry does.
func (s *Store) SaveSelfSheet(ctx context.Context, sh *pinggu.SelfSheet, was int) error {
	d := selfSheetDoc{ID: sh.Round + "/" + sh.Unit, Round: sh.Round, Unit: sh.Unit, State: string(sh.State),
		SubmittedBy: sh.SubmittedBy, SubmittedAt: sh.SubmittedAt, Version: was + 1}
	if err := saveVersioned(ctx, s.db.Collection(colSelfSheets), pinggu.ObjSelfSheet, d.ID, was, d); err != nil {
		return err
	}
	sh.Version = d.Version
	return nil
}

// saveVersioned inserts a document (was 0) or replaces the one at version
// was; either finding another writer first is a conflict. The writes stay
// single-document and conditional, so they hold on MongoDB with several
// replicas as on the embedded backend.
func saveVersioned(ctx context.Context, col collection, kind pinggu.ObjectKind, id string, was int, doc any) error {
	filter := bson.D{{Key: "_id", Value: id}, {Key: "version", Value: was}}
	if was == 0 {
		_, err := col.InsertOne(ctx, doc)
		if !mongo.IsDuplicateKeyError(err) {
			return mapErr(err, kind, id)
		}
		// A document written before versions were kept reads as version 0.
		filter[1].Value = bson.D{{Key: "$exists", Value: false}}
	}
	res, err := col.ReplaceOne(ctx, filter, doc)
	if err != nil {
		return mapErr(err, kind, id)
	}
	if res.MatchedCount == 0 {
		return pinggu.Clash(kind, id, pinggu.ReasonChanged)
	}
	return nil
}
