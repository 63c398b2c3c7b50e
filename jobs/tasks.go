package jobs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
)

// Task types of a round's life. Names are "area:action".
const (
	TypeRoundOpen     = "round:open"     // scheduled → open at opensAt
	TypeRoundClose    = "round:close"    // → closed at closesAt
	TypeRoundCompile  = "round:compile"  // the final compile (or one started by hand)
	TypeRoundProgress = "round:progress" // a provisional compile while open, re-enqueuing the next
	TypeRoundRemind   = "round:remind"   // lists the units behind their quota
	TypeRoundExport   = "round:export"   // raw responses to .xlsx and .csv
	TypeRoundLedger   = "round:ledger"   // the 整改台账 workbook of an assessment round
	// TypeRoundSelfRemind lists the units that have not submitted their
	// self-assessment, a day before its phase closes.
	TypeRoundSelfRemind = "round:selfremind"
)

// Queue is the one queue round jobs use.
const Queue = "default"

// RoundPayload names the round and the scheduled time the task was made
// for. A handler compares At with the round as it is now: a task made for
// an earlier schedule does nothing. On-demand tasks have At = 0.
type RoundPayload struct {
	Round string `json:"round"`
	At    int64  `json:"at"`
}

// TaskID is deterministic: the same round, type and time always give the
// same id, so enqueueing twice stores one task, and a rescheduled time is a
// new id (enqueue the new one, then delete the old).
func TaskID(typ, round string, at time.Time) string {
	return fmt.Sprintf("%s:%s:%d", typ, round, ceilSecond(at).Unix())
}

// parseTaskID splits an id made by TaskID; ok is false for other ids.
func parseTaskID(id string) (typ, round string, at int64, ok bool) {
	parts := strings.Split(id, ":")
	if len(parts) != 4 || parts[0] != "round" {
		return "", "", 0, false
	}
	at, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return "", "", 0, false
	}
	return parts[0] + ":" + parts[1], parts[2], at, true
}

// ceilSecond rounds up to a whole second: asynq truncates ProcessAt to
// seconds, and a close must not run before its time.
func ceilSecond(t time.Time) time.Time {
	if s := t.Truncate(time.Second); s.Before(t) {
		return s.Add(time.Second)
	}
	return t
}

// NewRoundTask makes a task of typ for the round's time at.
func NewRoundTask(typ, round string, at time.Time) (*asynq.Task, []asynq.Option) {
	at = ceilSecond(at)
	b, _ := json.Marshal(RoundPayload{Round: round, At: at.Unix()})
	return asynq.NewTask(typ, b), []asynq.Option{
		asynq.TaskID(TaskID(typ, round, at)), asynq.ProcessAt(at), asynq.Queue(Queue),
		asynq.MaxRetry(5), asynq.Timeout(30 * time.Minute),
	}
}

// NewOnDemandTask makes a task started by a person now, with a unique id.
func NewOnDemandTask(typ, round string, now time.Time) (*asynq.Task, []asynq.Option, string) {
	id := fmt.Sprintf("%s:%s%s%d", typ, round, onDemandMark, now.UnixNano())
	task, opts := onDemandTask(typ, round, id)
	return task, opts, id
}

// onDemandMark sets the ids of tasks asked for now apart from scheduled ones.
const onDemandMark = ":now-"

func onDemandTask(typ, round, id string) (*asynq.Task, []asynq.Option) {
	b, _ := json.Marshal(RoundPayload{Round: round})
	return asynq.NewTask(typ, b), []asynq.Option{asynq.TaskID(id), asynq.Queue(Queue),
		asynq.MaxRetry(5), asynq.Timeout(30 * time.Minute)}
}

func decodePayload(t *asynq.Task) (RoundPayload, error) {
	var p RoundPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Round == "" {
		return p, fmt.Errorf("undecodable payload %q: %v: %w", t.Payload(), err, asynq.SkipRetry)
	}
	return p, nil
}
