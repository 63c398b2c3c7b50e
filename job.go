package pinggu

import "time"

// JobState is where a background job stands.
type JobState string

// Job states.
const (
	JobQueued    JobState = "queued"
	JobRunning   JobState = "running"
	JobSucceeded JobState = "succeeded"
	JobRetrying  JobState = "retrying" // failed, will run again with backoff
	JobFailed    JobState = "failed"   // failed for good
)

// Job is what users see of a background task: its progress and last error.
type Job struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Round      string    `json:"round"`
	State      JobState  `json:"state"`
	Progress   float64   `json:"progress"`
	Attempts   int       `json:"attempts"`
	Error      string    `json:"error,omitempty"`
	Note       string    `json:"note,omitempty"`
	Report     string    `json:"report,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	StartedAt  time.Time `json:"startedAt,omitzero"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
}

// ReportKind is what a stored report holds.
type ReportKind string

// Report kinds.
const (
	ReportScorecard ReportKind = "scorecard" // 考核结果/满意度测评结果
	ReportRawXLSX   ReportKind = "raw-xlsx"  // 原始数据 .xlsx
	ReportRawCSV    ReportKind = "raw-csv"   // 原始数据 .csv
	ReportMidterm   ReportKind = "midterm"   // 中期评估报告
	ReportLedger    ReportKind = "ledger"    // 整改台账
	ReportMethod    ReportKind = "method"    // 方法说明 .json: every input and constant behind the numbers
)

// Report is a generated file kept in MongoDB with what it was made from.
type Report struct {
	ID          string     `json:"id"`
	Round       string     `json:"round"`
	Kind        ReportKind `json:"kind"`
	Final       bool       `json:"final"`
	FileName    string     `json:"fileName"`
	ContentType string     `json:"contentType"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256"`
	// Fingerprint hashes every input of the numbers (response ids, versions,
	// constants): equal fingerprints mean equal numbers.
	Fingerprint string    `json:"fingerprint"`
	Responses   int       `json:"responses"`
	CreatedAt   time.Time `json:"createdAt"`
	// Scores are a scorecard's headline estimates per unit, kept beside the
	// file so the dashboard can show them without opening it.
	Scores []UnitScore `json:"scores,omitempty"`
}

// FinalLabel says whether results are final (最终) or provisional (阶段性).
func FinalLabel(final bool) string {
	if final {
		return "最终"
	}
	return "阶段性"
}

// UnitScore is one unit's overall satisfaction in a scorecard: the mean
// score and the satisfaction rate, each with its 95% interval.
type UnitScore struct {
	Unit        string  `json:"unit"`
	Respondents int     `json:"respondents"`
	Mean        float64 `json:"mean"`
	MeanLow     float64 `json:"meanLow"`
	MeanHigh    float64 `json:"meanHigh"`
	Rate        float64 `json:"rate"`
	RateLow     float64 `json:"rateLow"`
	RateHigh    float64 `json:"rateHigh"`
	// Insufficient: below the round's minimum sample, so no score or rank.
	Insufficient bool    `json:"insufficient,omitempty"`
	Margin       float64 `json:"margin"` // achieved margin of error of the mean (± score points)
	// Rank in the peer group (0: not ranked) and its 95% bootstrap interval.
	Rank     int `json:"rank,omitempty"`
	RankLow  int `json:"rankLow,omitempty"`
	RankHigh int `json:"rankHigh,omitempty"`
	// SE and NEff let a later round compare with this one.
	SE         float64          `json:"se"`
	NEff       float64          `json:"nEff"`
	Dimensions []DimensionScore `json:"dimensions,omitempty"`
	// Change is the comparison with the round's baseline, if it has one.
	Change *Change `json:"change,omitempty"`
	// Assessment rounds: the unit's total, grade and rank in its peer
	// group (0: not ranked; Incomplete says when for missing data).
	Assessment *AssessedScore `json:"assessment,omitempty"`
}

// AssessedScore is a unit's headline result in an assessment round.
type AssessedScore struct {
	Total      float64 `json:"total" bson:"total"`
	Grade      string  `json:"grade" bson:"grade"`
	Rank       int     `json:"rank,omitempty" bson:"rank,omitempty"`
	Incomplete bool    `json:"incomplete,omitempty" bson:"incomplete,omitempty"`
	Vetoed     bool    `json:"vetoed,omitempty" bson:"vetoed,omitempty"`
}

// DimensionScore is a unit's headline figures on one dimension.
type DimensionScore struct {
	Dimension    string  `json:"dimension" bson:"dimension"`
	Mean         float64 `json:"mean" bson:"mean"`
	SE           float64 `json:"se" bson:"se"`
	NEff         float64 `json:"nEff" bson:"neff"`
	Rate         float64 `json:"rate" bson:"rate"`
	RateLow      float64 `json:"rateLow" bson:"ratelow"`
	RateHigh     float64 `json:"rateHigh" bson:"ratehigh"`
	Insufficient bool    `json:"insufficient,omitempty" bson:"insufficient"`
}

// Change is a figure against the same unit's in the baseline round: the
// difference with its interval and whether it is significant.
type Change struct {
	Base        float64 `json:"base" bson:"base"`
	Diff        float64 `json:"diff" bson:"diff"`
	Low         float64 `json:"low" bson:"low"`
	High        float64 `json:"high" bson:"high"`
	P           float64 `json:"p" bson:"p"`
	Significant bool    `json:"significant" bson:"significant"`
	// For the overall score only: the rate's change and the rank's.
	Rate       *Change `json:"rate,omitempty" bson:"rate"`
	BaseRank   int     `json:"baseRank,omitempty" bson:"baserank"`
	RankChange int     `json:"rankChange,omitempty" bson:"rankchange"` // base rank − rank: positive is a move up
}
