package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestEveryCollectionWriteIsSerialized: a write written today by any store
// method — here a bare $inc on a collection no method uses — passes the
// embedded backend's write lock by reaching the collection the only way
// the store can, so 200 concurrent increments of one document all count.
// A read-modify-write section's own writes do not lock again (no
// deadlock), and sections nest.
func TestEveryCollectionWriteIsSerialized(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if s.db.writes == nil {
		t.Fatal("the embedded store has no write lock")
	}
	col := s.db.Collection("scratch")
	if _, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "n", Value: 0}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if _, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: "c"}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var d struct {
		N int `bson:"n"`
	}
	if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: "c"}}).Decode(&d); err != nil || d.N != 200 {
		t.Fatalf("n = %d after 200 concurrent increments (%v)", d.N, err)
	}

	done := make(chan error, 1)
	go func() {
		done <- s.atomically(ctx, func(ctx context.Context) error {
			return s.atomically(ctx, func(ctx context.Context) error {
				_, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: "c"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: -1}}}})
				return err
			})
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write inside a section waited for the section's own lock")
	}
}

// A real MongoDB is written with majority acknowledgement and retryable
// writes; the embedded one, a single process, takes the driver's defaults.
func TestRealMongoDBWritesAreMajority(t *testing.T) {
	t.Parallel()
	real := clientOptions("mongodb://mongo:27017/pinggu?replicaSet=rs0", true)
	if real.WriteConcern == nil || real.WriteConcern.W != "majority" || real.RetryWrites == nil || !*real.RetryWrites {
		t.Fatalf("real MongoDB: %+v, retry %v", real.WriteConcern, real.RetryWrites)
	}
	if embedded := clientOptions("mongodb://127.0.0.1:27017/", false); embedded.WriteConcern != nil {
		t.Fatalf("embedded: %+v", embedded.WriteConcern)
	}
}
