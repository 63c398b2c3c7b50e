// Package store keeps Pinggu's state in MongoDB: a real server when a URI is
// given, otherwise an embedded FerretDB on SQLite files reached through the
// same driver and wire protocol. Only this package knows documents and BSON.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"pinggu"
)

// Config says which MongoDB to use.
type Config struct {
	URI      string       // a MongoDB URI; empty starts the embedded FerretDB
	DataDir  string       // where the embedded FerretDB keeps its SQLite files
	Database string       // database name, default "pinggu"
	Logger   *slog.Logger // for the embedded server's warnings
}

// Store is the MongoDB-backed store. It is safe for concurrent use.
type Store struct {
	client   *mongo.Client
	db       database // every collection is reached through it (see writes.go)
	embedded *embedded
	backend  string
}

// Open connects to the configured MongoDB (starting the embedded one when no
// URI is given), checks that it answers, and ensures every index.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Database == "" {
		cfg.Database = databaseOf(cfg.URI)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Store{backend: "mongodb " + redactURI(cfg.URI)}
	uri := cfg.URI
	if uri == "" {
		e, err := startEmbedded(cfg.DataDir, cfg.Logger)
		if err != nil {
			return nil, pinggu.Wrap(pinggu.Unavailable, fmt.Errorf("start the embedded database: %w", err), "")
		}
		s.embedded, uri = e, e.uri
		s.backend = "embedded FerretDB (SQLite) in " + e.dir
	}
	client, err := mongo.Connect(clientOptions(uri, cfg.URI != ""))
	if err != nil {
		s.closeEmbedded()
		return nil, pinggu.Wrap(pinggu.Unavailable, fmt.Errorf("connect to the database: %w", err), "")
	}
	s.client, s.db = client, database{Database: client.Database(cfg.Database)}
	if s.embedded != nil {
		s.db.writes = &writeLock{}
	}
	if err := client.Ping(ctx, nil); err != nil {
		s.Close(context.Background())
		return nil, pinggu.Wrap(pinggu.Unavailable, fmt.Errorf("the database does not answer: %w", err), "")
	}
	if err := s.ensureIndexes(ctx); err != nil {
		s.Close(context.Background())
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close(context.Background())
		return nil, err
	}
	return s, nil
}

// Backend describes the database in use, for the start-up log.
func (s *Store) Backend() string { return s.backend }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, nil); err != nil {
		return mapErr(err, pinggu.ObjDatabase)
	}
	return nil
}

// Close disconnects and stops the embedded server, if any.
func (s *Store) Close(ctx context.Context) error {
	var err error
	if s.client != nil {
		err = s.client.Disconnect(ctx)
	}
	s.closeEmbedded()
	return err
}

func (s *Store) closeEmbedded() {
	if s.embedded != nil {
		s.embedded.stop()
	}
}

// mapErr turns a driver error into a domain error about an object of kind
// k (with its key, when there is one).
func mapErr(err error, k pinggu.ObjectKind, id ...string) error {
	o := pinggu.Object{Kind: k}
	if len(id) > 0 {
		o.ID = id[0]
	}
	return mapObject(err, o)
}

// mapObject turns a driver error into a domain error about o. It writes
// no words: the layer that shows the error makes them from the code and
// the object.
func mapObject(err error, o pinggu.Object) error {
	var sse topology.ServerSelectionError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return &pinggu.Error{Code: pinggu.NotFound, Object: &o, Err: err}
	case mongo.IsDuplicateKeyError(err):
		return &pinggu.Error{Code: pinggu.Conflict, Object: &o, Err: err}
	case errors.Is(err, context.Canceled):
		return &pinggu.Error{Code: pinggu.Unavailable, Reason: pinggu.ReasonCancelled, Err: err}
	case mongo.IsTimeout(err), mongo.IsNetworkError(err), errors.As(err, &sse),
		errors.Is(err, mongo.ErrClientDisconnected):
		return &pinggu.Error{Code: pinggu.Unavailable, Err: err}
	default:
		return pinggu.Wrap(pinggu.Internal, err, "")
	}
}

// databaseOf is the database named in a URI's path, "pinggu" when none is.
func databaseOf(uri string) string {
	if cs, err := connstring.Parse(uri); err == nil && cs.Database != "" {
		return cs.Database
	}
	return "pinggu"
}

func redactURI(uri string) string {
	cs, err := connstringHost(uri)
	if err != nil {
		return "(unparsable URI)"
	}
	return cs
}

func wrapf(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// findAll reads every document that matches filter and converts each one.
// It is for the small collections read whole (units, rounds, jobs, …);
// large ones are streamed.
func findAll[D, T any](ctx context.Context, col collection, what pinggu.ObjectKind, filter any, conv func(*D) T,
	opts ...options.Lister[options.FindOptions]) ([]T, error) {
	cur, err := col.Find(ctx, filter, opts...)
	if err != nil {
		return nil, mapErr(err, what)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err, what)
	}
	out := make([]T, len(docs))
	for i := range docs {
		out[i] = conv(&docs[i])
	}
	return out, nil
}

// findOne reads one document by its key; none is Missing.
func findOne[D, T any](ctx context.Context, col collection, what pinggu.ObjectKind, id string, conv func(*D) T) (*T, error) {
	var d D
	err := col.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return nil, pinggu.Missing(what, id)
	}
	if err != nil {
		return nil, mapErr(err, what, id)
	}
	t := conv(&d)
	return &t, nil
}

// latestVersions reads a collection of versioned documents ("code@version")
// and keeps the newest version of each code, by code.
func latestVersions[D, T any](ctx context.Context, col collection, what pinggu.ObjectKind, codeOf func(*D) string, conv func(*D) T) ([]T, error) {
	cur, err := col.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "code", Value: 1}, {Key: "version", Value: -1}}))
	if err != nil {
		return nil, mapErr(err, what)
	}
	defer cur.Close(ctx)
	var out []T
	last := ""
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return nil, mapErr(err, what)
		}
		if code := codeOf(&d); len(out) == 0 || code != last {
			out, last = append(out, conv(&d)), code
		}
	}
	return out, mapErr(cur.Err(), what)
}

// utc is t in UTC, keeping a zero time zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// clientOptions are the driver's settings. With a real MongoDB an answer
// is acknowledged once a majority of the replica set has it, and a write
// is retried once across a failover, so an acknowledged answer survives
// the loss of a node.
func clientOptions(uri string, real bool) *options.ClientOptions {
	opts := options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second).SetAppName("pinggu")
	if real {
		opts.SetWriteConcern(writeconcern.Majority()).SetRetryWrites(true)
	}
	return opts
}
