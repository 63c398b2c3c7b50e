package pinggu

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Channel is how a response reached us.
type Channel string

// Channels a response may come through.
const (
	ChannelWeb    Channel = "web"
	ChannelQR     Channel = "qr"
	ChannelLink   Channel = "link"
	ChannelInvite Channel = "invite"
	ChannelCATI   Channel = "cati"
	ChannelCAPI   Channel = "capi"
	ChannelPaper  Channel = "paper"
	ChannelImport Channel = "import"
)

// Channels lists every channel in the order reports show them.
var Channels = []Channel{ChannelWeb, ChannelQR, ChannelLink, ChannelInvite, ChannelCATI, ChannelCAPI, ChannelPaper, ChannelImport}

// ChannelLabel is the channel in the words of reports and the UI.
func ChannelLabel(c Channel) string {
	if l, ok := map[Channel]string{ChannelWeb: "网页", ChannelQR: "扫码", ChannelLink: "链接", ChannelInvite: "邀请码",
		ChannelCATI: "电话调查", ChannelCAPI: "入户面访", ChannelPaper: "纸质问卷", ChannelImport: "导入"}[c]; ok {
		return l
	}
	return string(c)
}

// Offline reports whether answers of the channel were collected by an
// interviewer, on paper or elsewhere: they come in only through an
// authenticated import, never as an anonymous submission.
func (c Channel) Offline() bool {
	return c == ChannelCATI || c == ChannelCAPI || c == ChannelPaper || c == ChannelImport
}

// ValidChannel reports whether c is a known channel.
func ValidChannel(c Channel) bool { return slices.Contains(Channels, c) }

var sidRe = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// ValidTag reports whether t can be a link's source tag: at most 30
// letters, digits, spaces or -_·() — short text, safe in a URL and a sheet.
func ValidTag(t string) bool {
	if len([]rune(t)) > 30 {
		return false
	}
	for _, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" -_·()（）", r) {
			return false
		}
	}
	return true
}

// ValidSID reports whether s can be a submission id. Submission ids are
// chosen by the server for forms and by the client for the JSON API; the
// response is stored under it, which makes every submission idempotent.
func ValidSID(s string) bool { return sidRe.MatchString(s) }

// Response is one submitted questionnaire (答卷). Its ID is the submission id.
type Response struct {
	ID                   string  `json:"id"`
	Round                string  `json:"round"`
	Unit                 string  `json:"unit"`
	Questionnaire        string  `json:"questionnaire"`
	QuestionnaireVersion int     `json:"questionnaireVersion"`
	Answers              Answers `json:"answers"`
	Channel              Channel `json:"channel"`
	// Tag is where the link was posted (政务大厅, 微信公众号…), from ?tag= on a
	// survey link; free text an administrator chose, see ValidTag.
	Tag         string    `json:"tag,omitempty"`
	Device      string    `json:"device,omitempty"`
	SubmittedAt time.Time `json:"submittedAt"`
	// DurationMs is the time from the form being issued to its submission;
	// -1 when unknown (an API client, or a form whose issue stamp failed its check).
	DurationMs int64  `json:"durationMs"`
	IPHash     string `json:"ipHash,omitempty"`
	// Flags are the quality signals that fired at submission, e.g. over_quota.
	Flags []string `json:"flags,omitempty"`
}

// Response flags: signals that fired at submission. They record a
// confidence, not a verdict; assessors decide on exclusions.
const (
	FlagOverQuota       = "over_quota"       // beyond the unit's quota (open mode)
	FlagDuplicateDevice = "duplicate_device" // the device answered this round before
	FlagTooFast         = "too_fast"         // faster than the round's minimum plausible time
	FlagStraightLine    = "straight_line"    // the same answer on every item of a long scale battery
	FlagHoneypot        = "honeypot"         // a field no person sees was filled in
	FlagBurst           = "burst"            // one of many from one network in a short window
	FlagSpeeder         = "speeder"          // much faster than the round's median time so far
)

// QualityFlags are the flags in the order reports list them, with their
// labels: one place, so the scorecard and the console say the same.
var QualityFlags = []struct{ Flag, Label string }{
	{FlagDuplicateDevice, "同一设备重复"}, {FlagTooFast, "作答过快"}, {FlagStraightLine, "同一选项连选"},
	{FlagHoneypot, "蜜罐字段"}, {FlagOverQuota, "超出配额"}, {FlagBurst, "同一网络集中提交"},
	{FlagSpeeder, "明显快于中位用时"},
}

// TallyEntry is what one response adds to its unit's tally.
type TallyEntry struct {
	Questionnaire *Questionnaire
	Answers       Answers
	Flags         []string
	At            time.Time
	Day           string // the submission's date in the round's time zone
	DurationMs    int64  // -1 when unknown
	Stratum       string // the response's cell of the round's strata, if any
	Channel       Channel
}

// TallyAdd is one stored response to count in its unit's tally.
type TallyAdd struct {
	Round, Unit string
	Entry       TallyEntry
}

// Slot is what a quota reservation found: the unit's count and the
// stratum's after it, or that the unit or the stratum was full.
type Slot struct {
	OK             bool
	Received, Cell int
	CellFull       bool // not OK because the stratum, not the unit, is full
}

// Speeder rule: a response is flagged when it took less than a share of
// the median time of the round's earlier timed responses, once there are
// SpeederMinSample of them. Times are kept in DurationBucketMs buckets.
const (
	DefaultSpeederShare = 1.0 / 3
	SpeederMinSample    = 30
	DurationBucketMs    = 5000
	durationBuckets     = 120 // 10 minutes; longer times share the last bucket
)

// DurationBucket is the tally key of a completion time ("d12": 60–65 s).
func DurationBucket(ms int64) string {
	return "d" + strconv.FormatInt(min(ms/DurationBucketMs, durationBuckets), 10)
}

// MedianDuration estimates the median time from bucket counts (the middle
// of the median's bucket) and says how many times it is based on.
func MedianDuration(hist map[string]int) (ms int64, n int) {
	counts := make([]int, durationBuckets+1)
	for k, c := range hist {
		b, err := strconv.Atoi(strings.TrimPrefix(k, "d"))
		if err == nil && b >= 0 && b <= durationBuckets && c > 0 {
			counts[b] += c
			n += c
		}
	}
	seen := 0
	for b, c := range counts {
		if seen += c; n > 0 && 2*seen >= n {
			return int64(b)*DurationBucketMs + DurationBucketMs/2, n
		}
	}
	return 0, n
}

// DefaultBurstLimit is how many responses one network may send in a
// BurstWindow before the rest are flagged, when the round sets no limit.
const DefaultBurstLimit = 20

// BurstLimitOf is the round's burst limit: the default when unset,
// negative when the check is off.
func (in Integrity) BurstLimitOf() int {
	if in.BurstLimit == 0 {
		return DefaultBurstLimit
	}
	return in.BurstLimit
}

// SpeederShareOf is the round's speeder share: the default when unset,
// 0 (off) when negative.
func (in Integrity) SpeederShareOf() float64 {
	switch {
	case in.SpeederShare < 0:
		return 0
	case in.SpeederShare == 0:
		return DefaultSpeederShare
	}
	return in.SpeederShare
}

// BurstWindow is the window in which responses from one network are counted.
const BurstWindow = 10 * time.Minute

// Integrity are a round's one-person-one-response and quality rules.
type Integrity struct {
	// Device is what a second response from the same device does: "flag"
	// (the default), "refuse", or "off".
	Device string `json:"device,omitempty" bson:"device"`
	// MinSeconds flags responses completed faster than this (0: off).
	MinSeconds int `json:"minSeconds,omitempty" bson:"minseconds"`
	// StraightLineItems is the battery length from which identical answers
	// to every scale item are flagged (default 8; negative: off).
	StraightLineItems int `json:"straightLineItems,omitempty" bson:"straightlineitems"`
	// Invitations requires a single-use invitation code with every response.
	Invitations bool `json:"invitations,omitempty" bson:"invitations"`
	// BurstLimit is how many responses one network may send in BurstWindow
	// before the rest are flagged and slowed, never refused: a whole office
	// may share one address (default 20; negative: off). Each replica
	// counts the responses it receives.
	BurstLimit int `json:"burstLimit,omitempty" bson:"burstlimit"`
	// SpeederShare flags responses faster than this share of the median
	// time (default 1/3; negative: off).
	SpeederShare float64 `json:"speederShare,omitempty" bson:"speedershare"`
}

// Redemption is what redeeming an invitation code for a submission did.
type Redemption int

const (
	// CodeTaken: another submission used the code.
	CodeTaken Redemption = iota
	// CodeRedeemed: this submission used it just now (to give back if its
	// response is not stored).
	CodeRedeemed
	// CodeHeld: this submission had used it before (a retry): nothing to
	// give back, since the stored response holds it.
	CodeHeld
)

// InvitationCodeLength is the length of generated invitation codes.
const InvitationCodeLength = 8

// StraightLineFlag reports whether answers give one identical answer to
// every scale question of a battery of at least n items.
func StraightLineFlag(q *Questionnaire, a Answers, n int) bool {
	if n == 0 {
		n = 8
	}
	if n < 0 {
		return false
	}
	first, count := "", 0
	for _, qq := range q.Questions {
		if qq.Type != Scale || len(a[qq.Code]) != 1 {
			continue
		}
		v := a[qq.Code][0]
		if count == 0 {
			first = v
		} else if v != first {
			return false
		}
		count++
	}
	return count >= n
}

// Progress is how many responses a unit of a round has against its quota.
type Progress struct {
	Unit     string    `json:"unit"`
	Received int       `json:"received"`
	Quota    int       `json:"quota"`
	Today    int       `json:"today"`
	LastAt   time.Time `json:"lastAt,omitzero"`
	// Days counts submissions per date (YYYY-MM-DD, the round's time zone).
	Days map[string]int `json:"days,omitempty"`
	// Flags counts the quality flags fired at submission, flag → n.
	Flags map[string]int `json:"flags,omitempty"`
	// Strata counts responses per cell of the round's strata.
	Strata map[string]int `json:"strata,omitempty"`
	// Channels counts responses per channel (web, qr, cati…).
	Channels map[string]int `json:"channels,omitempty"`
	// PlannedMargin is the margin of error (a fraction: 0.098 is ±9.8
	// points) of a satisfaction rate near 50% that the quota will give;
	// Margin the one the responses so far give.
	PlannedMargin float64 `json:"plannedMargin,omitempty"`
	Margin        float64 `json:"margin,omitempty"`
}

// Tally is the running count of one unit's responses in a round: how many
// were received and how often each answer value was given, keyed by
// TallyKey. It is the sufficient statistic of the satisfaction formulas.
type Tally struct {
	Unit     string
	Received int
	Counts   map[string]int
	Days     map[string]int // submissions per date in the round's time zone
	Flags    map[string]int // quality flags fired at submission (over_quota not included)
	// Durations counts timed responses by DurationBucket.
	Durations map[string]int
	// Strata counts responses per cell of the round's strata.
	Strata map[string]int
	// Channels counts responses per channel.
	Channels map[string]int
	LastAt   time.Time
}

// TallyKey is the count key of one answer value, e.g. "Q1:5"; text answers
// are counted as answered under "Q14:*", never by content.
func TallyKey(question, value string) string { return question + ":" + value }

// EachCount calls fn for every count one response adds to its unit's
// tally, as (field, key): ("received", ""), ("days", day), ("channels",
// channel), ("strata", cell), ("durations", bucket), ("flags", flag) and
// ("counts", "Q1:5"). The store's atomic increment and a rebuild from the
// responses both count through it, so they cannot disagree.
func (e TallyEntry) EachCount(fn func(field, key string)) {
	fn("received", "")
	fn("days", e.Day)
	if e.Channel != "" {
		fn("channels", string(e.Channel))
	}
	if e.Stratum != "" {
		fn("strata", e.Stratum)
	}
	if e.DurationMs >= 0 {
		fn("durations", DurationBucket(e.DurationMs))
	}
	for _, f := range e.Flags {
		fn("flags", f)
	}
	for _, qq := range e.Questionnaire.Questions {
		for _, v := range e.Answers[qq.Code] {
			if qq.Type == Text {
				v = "*"
			}
			fn("counts", TallyKey(qq.Code, v))
		}
	}
}

// Add counts one response into the tally, as the store's increment does.
func (t *Tally) Add(e TallyEntry) {
	e.EachCount(func(field, key string) {
		m := map[string]*map[string]int{"days": &t.Days, "channels": &t.Channels, "strata": &t.Strata,
			"durations": &t.Durations, "flags": &t.Flags, "counts": &t.Counts}[field]
		if m == nil {
			t.Received++
			return
		}
		if *m == nil {
			*m = map[string]int{}
		}
		(*m)[key]++
	})
	if e.At.After(t.LastAt) {
		t.LastAt = e.At
	}
}

// Exclusion takes a response out of a round's results, with the reason an
// assessor gave. Restoring it deletes the exclusion; both are audited.
type Exclusion struct {
	Response string    `json:"response"`
	Round    string    `json:"round"`
	Unit     string    `json:"unit"`
	Reason   string    `json:"reason"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}
