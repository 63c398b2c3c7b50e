package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type appealDoc struct {
	ID        string            `bson:"_id"`
	Round     string            `bson:"round"`
	Unit      string            `bson:"unit"`
	Indicator string            `bson:"indicator"`
	Reason    string            `bson:"reason"`
	Evidence  []pinggu.Evidence `bson:"evidence"`
	By        string            `bson:"by"`
	At        time.Time         `bson:"at"`
	Decision  string            `bson:"decision"`
	Answer    *noteDoc          `bson:"answer"`
	Change    *inputChangeDoc   `bson:"change"`
	Version   int               `bson:"version"`
}

// SaveAppeal stores a new appeal (was 0) or its answer, if the stored one
// is still the one read: two assessors cannot both answer it.
func (s *Store) SaveAppeal(ctx context.Context, a *pinggu.Appeal, was int) error {
	d := appealDoc{ID: a.ID, Round: a.Round, Unit: a.Unit, Indicator: a.Indicator, Reason: a.Reason, Evidence: a.Evidence,
		By: a.By, At: a.At, Decision: string(a.Decision), Version: was + 1}
	if a.Answer != nil {
		d.Answer = &noteDoc{Text: a.Answer.Text, By: a.Answer.By, At: a.Answer.At}
	}
	if h := a.Change; h != nil {
		d.Change = &inputChangeDoc{Action: h.Action, By: h.By, At: h.At, Old: toValueDoc(h.Old), New: *toValueDoc(&h.New), Reason: h.Reason}
	}
	if err := saveVersioned(ctx, s.db.Collection(colAppeals), pinggu.ObjAppeal, d.ID, was, d); err != nil {
		return err
	}
	a.Version = d.Version
	return nil
}

func (d *appealDoc) appeal() pinggu.Appeal {
	a := pinggu.Appeal{ID: d.ID, Round: d.Round, Unit: d.Unit, Indicator: d.Indicator, Reason: d.Reason, Evidence: d.Evidence,
		By: d.By, At: d.At.UTC(), Decision: pinggu.Decision(d.Decision), Version: d.Version}
	if d.Answer != nil {
		a.Answer = &pinggu.Note{Text: d.Answer.Text, By: d.Answer.By, At: d.Answer.At.UTC()}
	}
	if h := d.Change; h != nil {
		a.Change = &pinggu.InputChange{Action: h.Action, By: h.By, At: h.At.UTC(), Old: h.Old.value(), New: *h.New.value(), Reason: h.Reason}
	}
	return a
}

// Appeal reads one appeal.
func (s *Store) Appeal(ctx context.Context, id string) (*pinggu.Appeal, error) {
	return findOne(ctx, s.db.Collection(colAppeals), pinggu.ObjAppeal, id, (*appealDoc).appeal)
}

// Appeals lists a round's appeals (one unit's when unit is set), oldest first.
func (s *Store) Appeals(ctx context.Context, round, unit string) ([]pinggu.Appeal, error) {
	return findAll(ctx, s.db.Collection(colAppeals), pinggu.ObjAppeal, roundUnit(round, unit), (*appealDoc).appeal,
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
}
