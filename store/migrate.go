package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

// schemaVersion is the layout of the stored documents this code writes;
// the settings document "schema" says which layout the database holds.
// Version 2 keys responses, exclusions and flagged copies by round and
// submission id (version 1 keyed them by the submission id alone).
const schemaVersion = 2

// migrate brings the stored documents to schemaVersion, once: each step
// copies a document under its new key before deleting the old one, so a
// migration cut short is taken up again at the next start and loses nothing.
func (s *Store) migrate(ctx context.Context) error {
	settings := s.db.Collection(colSettings)
	var d struct {
		Version int `bson:"version"`
	}
	err := settings.FindOne(ctx, bson.D{{Key: "_id", Value: "schema"}}).Decode(&d)
	if err != nil && err != mongo.ErrNoDocuments {
		return mapErr(err, pinggu.ObjSettings)
	}
	if d.Version >= schemaVersion {
		return nil
	}
	for _, col := range []string{colResponses, colExclusions, colFlagged} {
		if err := s.rekeyBySubmission(ctx, col); err != nil {
			return fmt.Errorf("migrate %s: %w", col, err)
		}
	}
	_, err = settings.UpdateOne(ctx, bson.D{{Key: "_id", Value: "schema"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: schemaVersion}}}}, options.UpdateOne().SetUpsert(true))
	return mapErr(err, pinggu.ObjSettings)
}

// rekeyBySubmission moves the documents keyed by a submission id alone to
// responseKey(round, sid), keeping the id in "sid".
func (s *Store) rekeyBySubmission(ctx context.Context, name string) error {
	col := s.db.Collection(name)
	cur, err := col.Find(ctx, bson.D{{Key: "sid", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil {
		return mapErr(err, pinggu.ObjDatabase)
	}
	var old []bson.D
	if err := cur.All(ctx, &old); err != nil {
		return mapErr(err, pinggu.ObjDatabase)
	}
	for _, doc := range old {
		var id, round string
		moved := bson.D{}
		for _, e := range doc {
			switch e.Key {
			case "_id":
				id, _ = e.Value.(string)
			case "round":
				round, _ = e.Value.(string)
			}
		}
		moved = append(moved, bson.E{Key: "_id", Value: responseKey(round, id)}, bson.E{Key: "sid", Value: id})
		for _, e := range doc {
			if e.Key != "_id" {
				moved = append(moved, e)
			}
		}
		if _, err := col.InsertOne(ctx, moved); err != nil && !mongo.IsDuplicateKeyError(err) {
			return mapErr(err, pinggu.ObjDatabase)
		}
		if _, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
			return mapErr(err, pinggu.ObjDatabase)
		}
	}
	return nil
}
