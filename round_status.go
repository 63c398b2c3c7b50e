package pinggu

import "time"

// RoundStatus is where a round stands in its life:
// draft → scheduled → open → closed → compiled → published → archived.
type RoundStatus string

// Round statuses.
const (
	StatusDraft     RoundStatus = "draft"
	StatusScheduled RoundStatus = "scheduled"
	StatusOpen      RoundStatus = "open"
	StatusClosed    RoundStatus = "closed"
	StatusCompiled  RoundStatus = "compiled"
	StatusPublished RoundStatus = "published"
	StatusArchived  RoundStatus = "archived"
)

// StatusLabel is the status in the words of the UI.
func StatusLabel(s RoundStatus) string {
	return map[RoundStatus]string{StatusDraft: "草稿", StatusScheduled: "已排期", StatusOpen: "进行中",
		StatusClosed: "已结束", StatusCompiled: "已汇总", StatusPublished: "已发布", StatusArchived: "已归档"}[s]
}

// Transition records one change of a round's status: who (a person or
// "job:<type>") and when.
type Transition struct {
	From RoundStatus `json:"from"`
	To   RoundStatus `json:"to"`
	At   time.Time   `json:"at"`
	By   string      `json:"by"`
	Note string      `json:"note,omitempty"`
}

// Schedule is when a round's jobs run, beyond opening and closing.
type Schedule struct {
	// CompileAt is the final compile; zero means ClosesAt + 10 minutes.
	CompileAt time.Time `json:"compileAt,omitzero"`
	// Reminders are times at which units behind their quota are listed.
	Reminders []time.Time `json:"reminders,omitempty"`
	// ProgressMinutes is the period of provisional compiles while the round
	// is open: 0 means hourly, a negative value turns them off.
	ProgressMinutes int `json:"progressMinutes,omitempty"`
}

// DefaultCompileDelay is how long after closing the final compile runs,
// leaving time for submissions in flight.
const DefaultCompileDelay = 10 * time.Minute

// CompileTime is when the final compile runs.
func (r *Round) CompileTime() time.Time {
	if !r.Schedule.CompileAt.IsZero() {
		return r.Schedule.CompileAt
	}
	return r.ClosesAt.Add(DefaultCompileDelay)
}

// ProgressPeriod is the period of provisional compiles, 0 when off.
func (r *Round) ProgressPeriod() time.Duration {
	switch {
	case r.Schedule.ProgressMinutes < 0:
		return 0
	case r.Schedule.ProgressMinutes == 0:
		return time.Hour
	default:
		return time.Duration(r.Schedule.ProgressMinutes) * time.Minute
	}
}

// Collecting reports whether the round's status lets it take responses
// (its time window decides the rest).
func (s RoundStatus) Collecting() bool { return s == StatusScheduled || s == StatusOpen }

// Finished reports whether collection has ended for good.
func (s RoundStatus) Finished() bool {
	switch s {
	case StatusClosed, StatusCompiled, StatusPublished, StatusArchived:
		return true
	}
	return false
}
