package store

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type planDoc struct {
	Code        string    `bson:"_id"`
	Name        string    `bson:"name"`
	Kind        string    `bson:"kind"`
	Start       string    `bson:"start"`
	End         string    `bson:"end"`
	TaskVersion int       `bson:"taskVersion"` // which imported task list is current
	CreatedAt   time.Time `bson:"createdAt"`
}

func (d *planDoc) plan() *pinggu.Plan {
	return &pinggu.Plan{Code: d.Code, Name: d.Name, Kind: pinggu.PlanKind(d.Kind), Start: pinggu.Date(d.Start),
		End: pinggu.Date(d.End), CreatedAt: d.CreatedAt.UTC()}
}

// CreatePlan inserts a plan; an existing code is a conflict.
func (s *Store) CreatePlan(ctx context.Context, p *pinggu.Plan) error {
	_, err := s.db.Collection(colPlans).InsertOne(ctx, planDoc{Code: p.Code, Name: p.Name, Kind: string(p.Kind),
		Start: string(p.Start), End: string(p.End), CreatedAt: p.CreatedAt})
	return mapErr(err, pinggu.ObjPlan, p.Code)
}

func (s *Store) planDoc(ctx context.Context, code string) (*planDoc, error) {
	var d planDoc
	if err := s.db.Collection(colPlans).FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&d); err != nil {
		return nil, mapErr(err, pinggu.ObjPlan, code)
	}
	return &d, nil
}

// Plan returns one plan.
func (s *Store) Plan(ctx context.Context, code string) (*pinggu.Plan, error) {
	d, err := s.planDoc(ctx, code)
	if err != nil {
		return nil, err
	}
	return d.plan(), nil
}

// Plans lists every plan by code.
func (s *Store) Plans(ctx context.Context) ([]*pinggu.Plan, error) {
	return findAll(ctx, s.db.Collection(colPlans), pinggu.ObjPlan, bson.D{}, (*planDoc).plan,
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

type taskDoc struct {
	ID         string             `bson:"_id"` // plan/version/no
	Plan       string             `bson:"plan"`
	Version    int                `bson:"version"`
	Seq        int                `bson:"seq"` // order in the sheet
	No         string             `bson:"no"`
	Chapter    string             `bson:"chapter"`
	Text       string             `bson:"text"`
	Lead       string             `bson:"lead"`
	CoUnits    []string           `bson:"coUnits"`
	Due        string             `bson:"due"`
	Ongoing    bool               `bson:"ongoing"`
	Class      string             `bson:"class"`
	Weight     float64            `bson:"weight"`
	Milestones map[string]float64 `bson:"milestones"`
	UpdatedAt  time.Time          `bson:"updatedAt"`
}

// ReplaceTasks makes tasks the plan's task list. The new list is written
// whole under a new version, then the plan switches to it in one update,
// so readers see the old list or the new one, never a mix; progress reports
// refer to tasks by 序号 and are untouched.
func (s *Store) ReplaceTasks(ctx context.Context, plan string, tasks []pinggu.PlanTask) error {
	return s.atomically(ctx, func(ctx context.Context) error { return s.replaceTasks(ctx, plan, tasks) })
}

func (s *Store) replaceTasks(ctx context.Context, plan string, tasks []pinggu.PlanTask) error {
	d, err := s.planDoc(ctx, plan)
	if err != nil {
		return err
	}
	version := d.TaskVersion + 1
	docs := make([]any, len(tasks))
	for i, t := range tasks {
		docs[i] = taskDoc{ID: fmt.Sprintf("%s/%d/%s", plan, version, t.No), Plan: plan, Version: version, Seq: i,
			No: t.No, Chapter: t.Chapter, Text: t.Text, Lead: t.Lead, CoUnits: t.CoUnits, Due: string(t.Due),
			Ongoing: t.Ongoing, Class: string(t.Class), Weight: t.Weight, Milestones: t.Milestones, UpdatedAt: t.UpdatedAt}
	}
	col := s.db.Collection(colTasks)
	// Leftovers of an import that died before switching are cleared first.
	if _, err := col.DeleteMany(ctx, bson.D{{Key: "plan", Value: plan}, {Key: "version", Value: version}}); err != nil {
		return mapErr(err, pinggu.ObjTask)
	}
	if len(docs) > 0 {
		if _, err := col.InsertMany(ctx, docs); err != nil {
			return mapErr(err, pinggu.ObjTask)
		}
	}
	res, err := s.db.Collection(colPlans).UpdateOne(ctx, bson.D{{Key: "_id", Value: plan}, {Key: "taskVersion", Value: d.TaskVersion}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "taskVersion", Value: version}}}})
	if err != nil {
		return mapErr(err, pinggu.ObjPlan)
	}
	if res.MatchedCount == 0 {
		return pinggu.Clash(pinggu.ObjPlan, plan, pinggu.ReasonBusy)
	}
	_, err = col.DeleteMany(ctx, bson.D{{Key: "plan", Value: plan}, {Key: "version", Value: bson.D{{Key: "$lt", Value: version}}}})
	return mapErr(err, pinggu.ObjTask)
}

// Tasks returns the plan's current task list in sheet order.
func (s *Store) Tasks(ctx context.Context, plan string) ([]pinggu.PlanTask, error) {
	d, err := s.planDoc(ctx, plan)
	if err != nil {
		return nil, err
	}
	return findAll(ctx, s.db.Collection(colTasks), pinggu.ObjTask, bson.D{{Key: "plan", Value: plan}, {Key: "version", Value: d.TaskVersion}},
		func(t *taskDoc) pinggu.PlanTask {
			return pinggu.PlanTask{Plan: t.Plan, No: t.No, Chapter: t.Chapter, Text: t.Text, Lead: t.Lead, CoUnits: t.CoUnits,
				Due: pinggu.Date(t.Due), Ongoing: t.Ongoing, Class: pinggu.TaskClass(t.Class), Weight: t.Weight,
				Milestones: t.Milestones, UpdatedAt: t.UpdatedAt.UTC()}
		}, options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}))
}

type progressDoc struct {
	ID            string            `bson:"_id"`
	Plan          string            `bson:"plan"`
	Task          string            `bson:"task"`
	Unit          string            `bson:"unit"`
	AsOf          string            `bson:"asOf"`
	Progress      float64           `bson:"progress"`
	Narrative     string            `bson:"narrative"`
	DelayReason   string            `bson:"delayReason"`
	Evidence      []pinggu.Evidence `bson:"evidence"`
	Status        string            `bson:"status"`
	ReviewComment string            `bson:"reviewComment"`
	ReviewedBy    string            `bson:"reviewedBy"`
	ReviewedAt    time.Time         `bson:"reviewedAt"`
	SubmittedAt   time.Time         `bson:"submittedAt"`
	By            string            `bson:"by"`
}

func newProgressDoc(r *pinggu.ProgressReport) progressDoc {
	return progressDoc{ID: r.ID, Plan: r.Plan, Task: r.Task, Unit: r.Unit, AsOf: string(r.AsOf), Progress: r.Progress,
		Narrative: r.Narrative, DelayReason: r.DelayReason, Evidence: r.Evidence, Status: string(r.Status),
		ReviewComment: r.ReviewComment, ReviewedBy: r.ReviewedBy, ReviewedAt: r.ReviewedAt, SubmittedAt: r.SubmittedAt, By: r.By}
}

func (d *progressDoc) report() pinggu.ProgressReport {
	r := pinggu.ProgressReport{ID: d.ID, Plan: d.Plan, Task: d.Task, Unit: d.Unit, AsOf: pinggu.Date(d.AsOf),
		Progress: d.Progress, Narrative: d.Narrative, DelayReason: d.DelayReason, Evidence: d.Evidence,
		Status: pinggu.ReportStatus(d.Status), ReviewComment: d.ReviewComment, ReviewedBy: d.ReviewedBy,
		ReviewedAt: utc(d.ReviewedAt), SubmittedAt: d.SubmittedAt.UTC(), By: d.By}
	return r
}

// AddProgress stores a progress report (append-only).
func (s *Store) AddProgress(ctx context.Context, r *pinggu.ProgressReport) error {
	_, err := s.db.Collection(colProgress).InsertOne(ctx, newProgressDoc(r))
	return mapErr(err, pinggu.ObjProgress)
}

// AddProgressMany stores many reports at once (benchmarks, imports).
func (s *Store) AddProgressMany(ctx context.Context, rs []*pinggu.ProgressReport) error {
	docs := make([]any, len(rs))
	for i, r := range rs {
		docs[i] = newProgressDoc(r)
	}
	_, err := s.db.Collection(colProgress).InsertMany(ctx, docs)
	return mapErr(err, pinggu.ObjProgress)
}

// Progress returns one report.
func (s *Store) Progress(ctx context.Context, id string) (*pinggu.ProgressReport, error) {
	var d progressDoc
	if err := s.db.Collection(colProgress).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, mapErr(err, pinggu.ObjProgress)
	}
	r := d.report()
	return &r, nil
}

// ReviewProgress records an assessor's decision on a submitted report; a
// report is reviewed once (the unit files a new one after a return).
func (s *Store) ReviewProgress(ctx context.Context, id string, status pinggu.ReportStatus, comment, by string, at time.Time) error {
	res, err := s.db.Collection(colProgress).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: string(pinggu.ReportSubmitted)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(status)}, {Key: "reviewComment", Value: comment},
			{Key: "reviewedBy", Value: by}, {Key: "reviewedAt", Value: at}}}})
	if err != nil {
		return mapErr(err, pinggu.ObjProgress)
	}
	if res.MatchedCount == 0 {
		if _, err := s.Progress(ctx, id); err != nil {
			return err
		}
		return pinggu.Clash(pinggu.ObjProgress, id, pinggu.ReasonReviewed)
	}
	return nil
}

// EachProgress streams a plan's reports (of one task when task is set).
func (s *Store) EachProgress(ctx context.Context, plan, task string, fn func(*pinggu.ProgressReport) error) error {
	filter := bson.D{{Key: "plan", Value: plan}}
	if task != "" {
		filter = append(filter, bson.E{Key: "task", Value: task})
	}
	cur, err := s.db.Collection(colProgress).Find(ctx, filter, options.Find().SetBatchSize(500))
	if err != nil {
		return mapErr(err, pinggu.ObjProgress)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d progressDoc
		if err := cur.Decode(&d); err != nil {
			return mapErr(err, pinggu.ObjProgress)
		}
		r := d.report()
		if err := fn(&r); err != nil {
			return err
		}
	}
	return mapErr(cur.Err(), pinggu.ObjProgress)
}

func (s *Store) evidence() *mongo.GridFSBucket {
	return s.db.GridFSBucket(options.GridFSBucket().SetName("evidence"))
}

// SaveEvidence stores an evidence file and returns its id.
func (s *Store) SaveEvidence(ctx context.Context, name string, content io.Reader) (string, error) {
	id, err := s.evidence().UploadFromStream(ctx, name, content)
	if err != nil {
		return "", mapErr(err, pinggu.ObjEvidence)
	}
	return id.Hex(), nil
}

// OpenEvidence streams an evidence file.
func (s *Store) OpenEvidence(ctx context.Context, id string) (io.ReadCloser, error) {
	oid, err := bson.ObjectIDFromHex(id)
	if err != nil {
		return nil, pinggu.Missing(pinggu.ObjEvidence, id)
	}
	st, err := s.evidence().OpenDownloadStream(ctx, oid)
	if err != nil {
		if err == mongo.ErrFileNotFound {
			return nil, pinggu.Missing(pinggu.ObjEvidence, id)
		}
		return nil, mapErr(err, pinggu.ObjEvidence)
	}
	return st, nil
}

// AddUnitToken records the hash of a unit reporter's token.
func (s *Store) AddUnitToken(ctx context.Context, hash, unit string, at time.Time) error {
	_, err := s.db.Collection(colUnitTokens).InsertOne(ctx, bson.D{{Key: "_id", Value: hash}, {Key: "unit", Value: unit}, {Key: "createdAt", Value: at}})
	return mapErr(err, pinggu.ObjUnitToken)
}

// UnitOfToken returns the unit whose token has the given hash.
func (s *Store) UnitOfToken(ctx context.Context, hash string) (string, error) {
	var d struct {
		Unit string `bson:"unit"`
	}
	if err := s.db.Collection(colUnitTokens).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d); err != nil {
		return "", mapErr(err, pinggu.ObjUnitToken)
	}
	return d.Unit, nil
}

// UnitTokens lists a unit's reporter tokens (hashes, never tokens).
func (s *Store) UnitTokens(ctx context.Context, unit string) ([]pinggu.UnitToken, error) {
	type doc struct {
		ID        string    `bson:"_id"`
		Unit      string    `bson:"unit"`
		CreatedAt time.Time `bson:"createdAt"`
	}
	return findAll(ctx, s.db.Collection(colUnitTokens), pinggu.ObjUnitToken, bson.D{{Key: "unit", Value: unit}},
		func(d *doc) pinggu.UnitToken {
			return pinggu.UnitToken{ID: d.ID, Unit: d.Unit, CreatedAt: d.CreatedAt.UTC()}
		},
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
}

// RevokeUnitToken deletes one of a unit's reporter tokens.
func (s *Store) RevokeUnitToken(ctx context.Context, unit, id string) error {
	res, err := s.db.Collection(colUnitTokens).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "unit", Value: unit}})
	if err != nil {
		return mapErr(err, pinggu.ObjUnitToken)
	}
	if res.DeletedCount == 0 {
		return pinggu.Missing(pinggu.ObjUnitToken, "")
	}
	return nil
}
