package store

import (
	"context"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

type reportDoc struct {
	ID          string        `bson:"_id"`
	Round       string        `bson:"round"`
	Kind        string        `bson:"kind"`
	Final       bool          `bson:"final"`
	FileName    string        `bson:"fileName"`
	ContentType string        `bson:"contentType"`
	Size        int64         `bson:"size"`
	SHA256      string        `bson:"sha256"`
	Fingerprint string        `bson:"fingerprint"`
	Responses   int           `bson:"responses"`
	CreatedAt   time.Time     `bson:"createdAt"`
	FileID      bson.ObjectID `bson:"fileId"`
	Scores      []scoreDoc    `bson:"scores,omitempty"`
}

type scoreDoc struct {
	Unit         string                  `bson:"unit"`
	Respondents  int                     `bson:"respondents"`
	Mean         float64                 `bson:"mean"`
	MeanLow      float64                 `bson:"meanLow"`
	MeanHigh     float64                 `bson:"meanHigh"`
	Rate         float64                 `bson:"rate"`
	RateLow      float64                 `bson:"rateLow"`
	RateHigh     float64                 `bson:"rateHigh"`
	Insufficient bool                    `bson:"insufficient,omitempty"`
	Margin       float64                 `bson:"margin"`
	Rank         int                     `bson:"rank,omitempty"`
	RankLow      int                     `bson:"rankLow,omitempty"`
	RankHigh     int                     `bson:"rankHigh,omitempty"`
	SE           float64                 `bson:"se"`
	NEff         float64                 `bson:"nEff"`
	Dimensions   []pinggu.DimensionScore `bson:"dimensions,omitempty"`
	Change       *pinggu.Change          `bson:"change,omitempty"`
	Assessment   *pinggu.AssessedScore   `bson:"assessment,omitempty"`
}

func (d *reportDoc) report() pinggu.Report {
	return pinggu.Report{ID: d.ID, Round: d.Round, Kind: pinggu.ReportKind(d.Kind), Final: d.Final, FileName: d.FileName,
		ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256, Fingerprint: d.Fingerprint,
		Responses: d.Responses, CreatedAt: d.CreatedAt.UTC(), Scores: convert(d.Scores, func(x scoreDoc) pinggu.UnitScore { return pinggu.UnitScore(x) })}
}

func convert[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}

func (s *Store) bucket() *mongo.GridFSBucket {
	return s.db.GridFSBucket(options.GridFSBucket().SetName("reports"))
}

// SaveReport stores a file and then its metadata. A report becomes visible
// only with its metadata, written after the whole file, so a failure midway
// leaves nothing half-written in sight (an orphan file at worst, removed by
// the next save of that round). Which older reports to drop is the
// compile's decision (DeleteReport).
func (s *Store) SaveReport(ctx context.Context, r *pinggu.Report, content io.Reader) error {
	fileID, err := s.bucket().UploadFromStream(ctx, r.ID, content)
	if err != nil {
		return mapErr(err, pinggu.ObjReportFile)
	}
	d := reportDoc{ID: r.ID, Round: r.Round, Kind: string(r.Kind), Final: r.Final, FileName: r.FileName,
		ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, Fingerprint: r.Fingerprint,
		Responses: r.Responses, CreatedAt: r.CreatedAt, FileID: fileID,
		Scores: convert(r.Scores, func(x pinggu.UnitScore) scoreDoc { return scoreDoc(x) })}
	if _, err := s.db.Collection(colReports).InsertOne(ctx, d); err != nil {
		_ = s.bucket().Delete(context.WithoutCancel(ctx), fileID)
		return mapErr(err, pinggu.ObjReport)
	}
	return nil
}

// DeleteReport removes a report's metadata, then its file; a missing
// report is no error.
func (s *Store) DeleteReport(ctx context.Context, id string) error {
	var d reportDoc
	err := s.db.Collection(colReports).FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return nil
	}
	if err != nil {
		return mapErr(err, pinggu.ObjReport)
	}
	if err := s.bucket().Delete(ctx, d.FileID); err != nil && err != mongo.ErrFileNotFound {
		return mapErr(err, pinggu.ObjReportFile)
	}
	return nil
}

// Reports lists a round's reports, newest first.
func (s *Store) Reports(ctx context.Context, round string) ([]pinggu.Report, error) {
	return findAll(ctx, s.db.Collection(colReports), pinggu.ObjReport, bson.D{{Key: "round", Value: round}}, (*reportDoc).report,
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}}))
}

// OpenReport returns a report's metadata and a stream of its file; the
// caller closes the stream.
func (s *Store) OpenReport(ctx context.Context, id string) (*pinggu.Report, io.ReadCloser, error) {
	var d reportDoc
	if err := s.db.Collection(colReports).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, nil, mapErr(err, pinggu.ObjReport)
	}
	st, err := s.bucket().OpenDownloadStream(ctx, d.FileID)
	if err != nil {
		return nil, nil, mapErr(err, pinggu.ObjReportFile)
	}
	r := d.report()
	return &r, st, nil
}

type jobDoc struct {
	ID         string    `bson:"_id"`
	Type       string    `bson:"type"`
	Round      string    `bson:"round"`
	State      string    `bson:"state"`
	Progress   float64   `bson:"progress"`
	Attempts   int       `bson:"attempts"`
	Error      string    `bson:"error"`
	Note       string    `bson:"note"`
	Report     string    `bson:"report"`
	CreatedAt  time.Time `bson:"createdAt"`
	StartedAt  time.Time `bson:"startedAt"`
	FinishedAt time.Time `bson:"finishedAt"`
}

// UnfinishedJobs lists the jobs recorded as queued, running or retrying.
func (s *Store) UnfinishedJobs(ctx context.Context) ([]pinggu.Job, error) {
	return findAll(ctx, s.db.Collection(colJobs), pinggu.ObjJob, bson.D{{Key: "state", Value: bson.D{{Key: "$in",
		Value: bson.A{string(pinggu.JobQueued), string(pinggu.JobRunning), string(pinggu.JobRetrying)}}}}},
		func(d *jobDoc) pinggu.Job {
			return pinggu.Job{ID: d.ID, Type: d.Type, Round: d.Round, State: pinggu.JobState(d.State), CreatedAt: d.CreatedAt.UTC()}
		}, options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
}

// RecordJob writes what is known of a job. Zero times and empty strings
// leave earlier values alone, so each step records only what it learned.
func (s *Store) RecordJob(ctx context.Context, j *pinggu.Job) error {
	set := bson.D{{Key: "type", Value: j.Type}, {Key: "round", Value: j.Round}, {Key: "state", Value: string(j.State)},
		{Key: "progress", Value: j.Progress}, {Key: "error", Value: j.Error}}
	for _, f := range []struct {
		key string
		val any
		ok  bool
	}{
		{"attempts", j.Attempts, j.Attempts > 0}, {"note", j.Note, j.Note != ""}, {"report", j.Report, j.Report != ""},
		{"startedAt", j.StartedAt, !j.StartedAt.IsZero()}, {"finishedAt", j.FinishedAt, !j.FinishedAt.IsZero()},
	} {
		if f.ok {
			set = append(set, bson.E{Key: f.key, Value: f.val})
		}
	}
	created := j.CreatedAt
	if created.IsZero() {
		created = time.Now().UTC()
	}
	_, err := s.db.Collection(colJobs).UpdateOne(ctx, bson.D{{Key: "_id", Value: j.ID}},
		bson.D{{Key: "$set", Value: set}, {Key: "$setOnInsert", Value: bson.D{{Key: "createdAt", Value: created}}}},
		options.UpdateOne().SetUpsert(true))
	return mapErr(err, pinggu.ObjJob)
}

// Jobs lists a round's jobs (all when round is empty), newest first, at most limit.
func (s *Store) Jobs(ctx context.Context, round string, limit int) ([]pinggu.Job, error) {
	filter := bson.D{}
	if round != "" {
		filter = bson.D{{Key: "round", Value: round}}
	}
	return findAll(ctx, s.db.Collection(colJobs), pinggu.ObjJob, filter, func(d *jobDoc) pinggu.Job {
		return pinggu.Job{ID: d.ID, Type: d.Type, Round: d.Round, State: pinggu.JobState(d.State), Progress: d.Progress,
			Attempts: d.Attempts, Error: d.Error, Note: d.Note, Report: d.Report, CreatedAt: d.CreatedAt.UTC(),
			StartedAt: utc(d.StartedAt), FinishedAt: utc(d.FinishedAt)}
	}, options.Find().SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
}
