package store

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// FerretDB 1.24 on SQLite does not apply concurrent updates of one document
// atomically: measured here, 300 concurrent $inc of one field left it at
// 12, and 300 concurrent conditional findAndModify calls all "succeeded".
// Inserts and unique indexes are sound. The embedded server is reachable
// only from this process, so serializing its writes other than inserts
// restores the guarantee MongoDB gives by itself.
//
// That serialization lives here, in the one way the store reaches a
// collection: database.Collection hands out a collection whose updates,
// replacements and deletes take the write lock, so a new store method
// cannot forget it. With a real MongoDB the lock is nil and costs nothing.

// writeLock serializes the embedded backend's writes; nil for MongoDB.
type writeLock struct{ mu sync.Mutex }

// heldKey marks a context whose goroutine holds the write lock (inside
// atomically), so the writes of a section do not lock again.
type heldKey struct{}

// hold takes the lock unless ctx already holds it; call the result to
// release.
func (w *writeLock) hold(ctx context.Context) func() {
	if w == nil || ctx.Value(heldKey{}) == w {
		return func() {}
	}
	w.mu.Lock()
	return w.mu.Unlock
}

// atomically runs a read-modify-write section — several reads and writes
// that must not interleave with other writes — under the write lock on the
// embedded backend. Every write inside it must use the ctx it is given.
// With MongoDB each write is atomic on its own, and sections must be
// written so that is enough (conditional updates, unique keys).
func (s *Store) atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	w := s.db.writes
	if w == nil || ctx.Value(heldKey{}) == w {
		return fn(ctx)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return fn(context.WithValue(ctx, heldKey{}, w))
}

// database is the store's handle on its MongoDB database.
type database struct {
	*mongo.Database
	writes *writeLock
}

// Collection returns a collection whose writes pass the write lock.
func (d database) Collection(name string) collection {
	return collection{d.Database.Collection(name), d.writes}
}

// collection is a *mongo.Collection whose writes other than inserts take
// the embedded backend's write lock.
type collection struct {
	*mongo.Collection
	writes *writeLock
}

func (c collection) UpdateOne(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateOneOptions]) (*mongo.UpdateResult, error) {
	defer c.writes.hold(ctx)()
	return c.Collection.UpdateOne(ctx, filter, update, opts...)
}

func (c collection) UpdateMany(ctx context.Context, filter, update any, opts ...options.Lister[options.UpdateManyOptions]) (*mongo.UpdateResult, error) {
	defer c.writes.hold(ctx)()
	return c.Collection.UpdateMany(ctx, filter, update, opts...)
}

func (c collection) ReplaceOne(ctx context.Context, filter, replacement any, opts ...options.Lister[options.ReplaceOptions]) (*mongo.UpdateResult, error) {
	defer c.writes.hold(ctx)()
	return c.Collection.ReplaceOne(ctx, filter, replacement, opts...)
}

func (c collection) FindOneAndUpdate(ctx context.Context, filter, update any, opts ...options.Lister[options.FindOneAndUpdateOptions]) *mongo.SingleResult {
	defer c.writes.hold(ctx)()
	return c.Collection.FindOneAndUpdate(ctx, filter, update, opts...)
}

func (c collection) FindOneAndReplace(ctx context.Context, filter, replacement any, opts ...options.Lister[options.FindOneAndReplaceOptions]) *mongo.SingleResult {
	defer c.writes.hold(ctx)()
	return c.Collection.FindOneAndReplace(ctx, filter, replacement, opts...)
}

func (c collection) FindOneAndDelete(ctx context.Context, filter any, opts ...options.Lister[options.FindOneAndDeleteOptions]) *mongo.SingleResult {
	defer c.writes.hold(ctx)()
	return c.Collection.FindOneAndDelete(ctx, filter, opts...)
}

func (c collection) DeleteOne(ctx context.Context, filter any, opts ...options.Lister[options.DeleteOneOptions]) (*mongo.DeleteResult, error) {
	defer c.writes.hold(ctx)()
	return c.Collection.DeleteOne(ctx, filter, opts...)
}

func (c collection) DeleteMany(ctx context.Context, filter any, opts ...options.Lister[options.DeleteManyOptions]) (*mongo.DeleteResult, error) {
	defer c.writes.hold(ctx)()
	return c.Collection.DeleteMany(ctx, filter, opts...)
}

func (c collection) BulkWrite(ctx context.Context, models []mongo.WriteModel, opts ...options.Lister[options.BulkWriteOptions]) (*mongo.BulkWriteResult, error) {
	defer c.writes.hold(ctx)()
	return c.Collection.BulkWrite(ctx, models, opts...)
}
