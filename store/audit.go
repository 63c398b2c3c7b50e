package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type auditDoc struct {
	ID      string    `bson:"_id"`
	At      time.Time `bson:"at"`
	Actor   string    `bson:"actor"`
	Action  string    `bson:"action"`
	Object  string    `bson:"object"`
	Summary string    `bson:"summary"`
}

// Audit appends an entry to the audit log (insert only).
func (s *Store) Audit(ctx context.Context, e *pinggu.AuditEntry) error {
	if e.ID == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		e.ID = e.At.Format("20060102T150405.000") + "-" + hex.EncodeToString(b)
	}
	_, err := s.db.Collection(colAudit).InsertOne(ctx, auditDoc{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action,
		Object: e.Object, Summary: e.Summary})
	return mapErr(err, pinggu.ObjAudit)
}

// AuditFilter narrows the audit log; empty fields match everything.
type AuditFilter struct {
	Actor, ActionPrefix, Object string
	From, To                    time.Time
	Limit                       int
}

// AuditLog lists entries, newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]pinggu.AuditEntry, error) {
	filter := bson.D{}
	if f.Actor != "" {
		filter = append(filter, bson.E{Key: "actor", Value: f.Actor})
	}
	if f.Object != "" {
		filter = append(filter, bson.E{Key: "object", Value: f.Object})
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		at := bson.D{}
		if !f.From.IsZero() {
			at = append(at, bson.E{Key: "$gte", Value: f.From})
		}
		if !f.To.IsZero() {
			at = append(at, bson.E{Key: "$lt", Value: f.To})
		}
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	cur, err := s.db.Collection(colAudit).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(f.Limit)*4))
	if err != nil {
		return nil, mapErr(err, pinggu.ObjAudit)
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err, pinggu.ObjAudit)
	}
	var out []pinggu.AuditEntry
	for _, d := range docs {
		if !strings.HasPrefix(d.Action, f.ActionPrefix) {
			continue
		}
		out = append(out, pinggu.AuditEntry{ID: d.ID, At: d.At.UTC(), Actor: d.Actor, Action: d.Action, Object: d.Object, Summary: d.Summary})
		if len(out) == f.Limit {
			break
		}
	}
	return out, nil
}
