package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type unitDoc struct {
	Code      string    `bson:"_id"`
	Name      string    `bson:"name"`
	Type      string    `bson:"type"`
	PeerGroup string    `bson:"peerGroup"`
	Parent    string    `bson:"parent"`
	Aliases   []string  `bson:"aliases,omitempty"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

func (d *unitDoc) unit() pinggu.Unit {
	return pinggu.Unit{Code: d.Code, Name: d.Name, Type: pinggu.UnitType(d.Type), PeerGroup: d.PeerGroup,
		Parent: d.Parent, Aliases: d.Aliases, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

func newUnitDoc(u *pinggu.Unit) unitDoc {
	return unitDoc{Code: u.Code, Name: u.Name, Type: string(u.Type), PeerGroup: u.PeerGroup,
		Parent: u.Parent, Aliases: u.Aliases, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// CreateUnit inserts a new unit; an existing code is a conflict.
func (s *Store) CreateUnit(ctx context.Context, u *pinggu.Unit) error {
	_, err := s.db.Collection(colUnits).InsertOne(ctx, newUnitDoc(u))
	return mapErr(err, pinggu.ObjUnit, u.Code)
}

// UpdateUnit replaces a unit's fields, keeping its creation time.
func (s *Store) UpdateUnit(ctx context.Context, u *pinggu.Unit) error {
	d := newUnitDoc(u)
	res, err := s.db.Collection(colUnits).UpdateOne(ctx, bson.D{{Key: "_id", Value: u.Code}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: d.Name}, {Key: "type", Value: d.Type}, {Key: "peerGroup", Value: d.PeerGroup},
		{Key: "parent", Value: d.Parent}, {Key: "aliases", Value: d.Aliases}, {Key: "updatedAt", Value: d.UpdatedAt},
	}}})
	if err != nil {
		return mapErr(err, pinggu.ObjUnit)
	}
	if res.MatchedCount == 0 {
		return pinggu.Missing(pinggu.ObjUnit, u.Code)
	}
	return nil
}

// Unit returns one unit by code.
func (s *Store) Unit(ctx context.Context, code string) (*pinggu.Unit, error) {
	var d unitDoc
	if err := s.db.Collection(colUnits).FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&d); err != nil {
		return nil, mapErr(err, pinggu.ObjUnit, code)
	}
	u := d.unit()
	return &u, nil
}

// Units lists all units by code. The registry is small (tens to a few
// hundred units), so it is read whole.
func (s *Store) Units(ctx context.Context) ([]pinggu.Unit, error) {
	return findAll(ctx, s.db.Collection(colUnits), pinggu.ObjUnit, bson.D{}, (*unitDoc).unit,
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}
