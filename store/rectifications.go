package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type rectificationDoc struct {
	ID        string          `bson:"_id"`
	Round     string          `bson:"round"`
	Unit      string          `bson:"unit"`
	Source    string          `bson:"source"`
	Indicator string          `bson:"indicator"`
	Finding   string          `bson:"finding"`
	Deadline  string          `bson:"deadline"`
	Status    string          `bson:"status"`
	Reports   []rectReportDoc `bson:"reports"`
	Review    *noteDoc        `bson:"review"`
	CreatedBy string          `bson:"createdBy"`
	CreatedAt time.Time       `bson:"createdAt"`
	Version   int             `bson:"version"`
}

type rectReportDoc struct {
	Text     string            `bson:"text"`
	Evidence []pinggu.Evidence `bson:"evidence"`
	By       string            `bson:"by"`
	At       time.Time         `bson:"at"`
}

func newRectificationDoc(r *pinggu.Rectification, version int) rectificationDoc {
	d := rectificationDoc{ID: r.ID, Round: r.Round, Unit: r.Unit, Source: r.Source, Indicator: r.Indicator, Finding: r.Finding,
		Deadline: string(r.Deadline), Status: string(r.Status), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, Version: version}
	for _, x := range r.Reports {
		d.Reports = append(d.Reports, rectReportDoc{Text: x.Text, Evidence: x.Evidence, By: x.By, At: x.At})
	}
	if r.Review != nil {
		d.Review = &noteDoc{Text: r.Review.Text, By: r.Review.By, At: r.Review.At}
	}
	return d
}

func (d *rectificationDoc) rectification() pinggu.Rectification {
	r := pinggu.Rectification{ID: d.ID, Round: d.Round, Unit: d.Unit, Source: d.Source, Indicator: d.Indicator, Finding: d.Finding,
		Deadline: pinggu.Date(d.Deadline), Status: pinggu.RectStatus(d.Status), CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt.UTC(), Version: d.Version}
	for _, x := range d.Reports {
		r.Reports = append(r.Reports, pinggu.RectReport{Text: x.Text, Evidence: x.Evidence, By: x.By, At: x.At.UTC()})
	}
	if d.Review != nil {
		r.Review = &pinggu.Note{Text: d.Review.Text, By: d.Review.By, At: d.Review.At.UTC()}
	}
	return r
}

// AddRectifications stores new items; an item whose id is stored already
// (the same lost points found by a rerun of the final compile) is kept as
// it is. It returns how many were new.
func (s *Store) AddRectifications(ctx context.Context, rs []pinggu.Rectification) (int, error) {
	docs := make([]any, len(rs))
	for i := range rs {
		docs[i] = newRectificationDoc(&rs[i], 1)
	}
	created, errs := insertEach(ctx, s.db.Collection(colRectifications), docs, pinggu.ObjRectification)
	n := 0
	for i := range rs {
		if errs[i] != nil {
			return n, errs[i]
		}
		if created[i] {
			n++
		}
	}
	return n, nil
}

// SaveRectification writes an item's change if it is still the one read.
func (s *Store) SaveRectification(ctx context.Context, r *pinggu.Rectification) error {
	d := newRectificationDoc(r, r.Version+1)
	if err := saveVersioned(ctx, s.db.Collection(colRectifications), pinggu.ObjRectification, r.ID, r.Version, d); err != nil {
		return err
	}
	r.Version = d.Version
	return nil
}

// Rectification reads one item.
func (s *Store) Rectification(ctx context.Context, id string) (*pinggu.Rectification, error) {
	return findOne(ctx, s.db.Collection(colRectifications), pinggu.ObjRectification, id, (*rectificationDoc).rectification)
}

// Rectifications lists a round's items (one unit's when unit is set).
func (s *Store) Rectifications(ctx context.Context, round, unit string) ([]pinggu.Rectification, error) {
	return findAll(ctx, s.db.Collection(colRectifications), pinggu.ObjRectification, roundUnit(round, unit), (*rectificationDoc).rectification,
		options.Find().SetSort(bson.D{{Key: "unit", Value: 1}, {Key: "_id", Value: 1}}))
}
