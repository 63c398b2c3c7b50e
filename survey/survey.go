// Package survey is the respondent's side of Pinggu: it finds the form of a
// round and unit, and stores a submission exactly once with its counts.
// Web forms, the JSON API and the demo loader all submit through it, so every
// response passes the same validation.
package survey

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"pinggu"
	"pinggu/scoring"
)

// Store is what the survey needs from the database.
type Store interface {
	Round(ctx context.Context, code string) (*pinggu.Round, error)
	Unit(ctx context.Context, code string) (*pinggu.Unit, error)
	Questionnaire(ctx context.Context, code string, version int) (*pinggu.Questionnaire, error)
	InsertResponseBatch(ctx context.Context, rs []*pinggu.Response) (created []bool, errs []error)
	DeleteResponse(ctx context.Context, round, id string) error
	AddToTallies(ctx context.Context, adds []pinggu.TallyAdd) error
	FlagResponses(ctx context.Context, rs []*pinggu.Response, flag string) error
	CountSlots(ctx context.Context, round, unit string, entries []pinggu.TallyEntry) (received int, strata map[string]int, err error)
	ReserveSlot(ctx context.Context, round, unit string, limit, cellLimit int, e pinggu.TallyEntry) (pinggu.Slot, error)
	ReleaseSlot(ctx context.Context, round, unit string, e pinggu.TallyEntry) error
	CountFlag(ctx context.Context, round, unit, flag string) error
	Response(ctx context.Context, round, id string) (*pinggu.Response, error)
	SeeDevice(ctx context.Context, round, device string) (first bool, err error)
	ForgetDevice(ctx context.Context, round, device string) error
	SeeDevices(ctx context.Context, rs []*pinggu.Response) (first []bool, errs []error)
	ForgetDevices(ctx context.Context, rs []*pinggu.Response) error
	InvitationUnit(ctx context.Context, round, code string) (string, error)
	Redeem(ctx context.Context, round, code, sid string) (pinggu.Redemption, error)
	Unredeem(ctx context.Context, round, code, sid string) error
	AddInvitations(ctx context.Context, round, unit string, codes []string, at time.Time) error
	Tallies(ctx context.Context, round string) ([]pinggu.Tally, error)
	Tally(ctx context.Context, round, unit string) (pinggu.Tally, error)
	ReplaceTally(ctx context.Context, round string, t, was pinggu.Tally) (bool, error)
	RecordRepair(ctx context.Context, round string, at time.Time, summary string) error
	LastRepair(ctx context.Context, round string) (time.Time, string, error)
	EachResponse(ctx context.Context, round string, fn func(*pinggu.Response) error) error
	pinggu.Auditor
}

// FormCacheTTL bounds how long a replica may serve a round or unit after an
// administrator changed it. Every submission needs the round, the unit and
// the questionnaire; reading them each time would triple the cost of a
// submission on the embedded backend.
const FormCacheTTL = 5 * time.Second

// Service stores submissions. Keys come from the installation's secrets.
type Service struct {
	store   Store
	now     func() time.Time
	formKey []byte
	ipSalt  []byte
	log     *slog.Logger

	commits *committer // the group commit of responses and their counts

	forms   *cache[Form]  // by round/unit
	medians *cache[int64] // by round: one read of its tallies for all its units

	// Responses per network in the current burst window, counted in this
	// replica's memory: an upsert per submission would scan a growing
	// collection on the embedded backend, and a signal needs no more.
	burstMu     sync.Mutex
	burstWindow int64
	bursts      map[string]int // round/ipHash → responses
}

// New returns a survey service. now is injectable so tests control time.
func New(store Store, now func() time.Time, formKey, ipSalt string, log *slog.Logger) *Service {
	return &Service{store: store, now: now, formKey: []byte(formKey), ipSalt: []byte(ipSalt), log: log,
		commits: &committer{store: store, log: log, more: make(chan struct{}, 1)},
		forms:   newCache[Form](), medians: newCache[int64]()}
}

// ObserveBatches reports the size of every group commit (for metrics).
func (s *Service) ObserveBatches(fn func(size int)) { s.commits.observe = fn }

// Form is everything the survey page of one unit in one round shows.
type Form struct {
	Round         *pinggu.Round
	Unit          *pinggu.Unit
	Questionnaire *pinggu.Questionnaire
	Phase         pinggu.Phase
	// MedianMs is the median time of the round's timed responses when the
	// form was loaded (0 below SpeederMinSample), for the speeder flag.
	MedianMs int64
}

// Form finds a round's form for a unit; a unit outside the round is not found.
// What it finds is kept for FormCacheTTL; what it does not find is not kept.
func (s *Service) Form(ctx context.Context, round, unit string) (*Form, error) {
	key := round + "/" + unit
	f, ok, fresh := s.forms.get(key)
	if !fresh {
		loaded, err := s.loadForm(ctx, round, unit)
		if err != nil && !(ok && pinggu.ErrorCode(err) == pinggu.Unavailable) {
			return nil, err
		}
		if err == nil {
			f = *loaded
		} // else the database is down but the form is known: keep serving
		// it, so a respondent's page still renders with their answers.
		s.forms.put(key, f)
	}
	f.Phase = f.Round.PhaseAt(s.now())
	return &f, nil
}

// countBurst adds one to a network's count in the window and returns it;
// a new window starts every count afresh.
func (s *Service) countBurst(window int64, key string) int {
	s.burstMu.Lock()
	defer s.burstMu.Unlock()
	if window != s.burstWindow || s.bursts == nil {
		s.burstWindow, s.bursts = window, map[string]int{}
	}
	s.bursts[key]++
	return s.bursts[key]
}

// Full reports whether the form's unit stops at its quota (close mode)
// and has reached it, so the page can say so before anyone fills it in.
// One small read, only for such units.
func (s *Service) Full(ctx context.Context, f *Form) (bool, error) {
	q := f.Round.Quotas[f.Unit.Code]
	if q <= 0 || f.Round.QuotaModeOf(f.Unit.Code) != pinggu.QuotaClose {
		return false, nil
	}
	t, err := s.store.Tally(ctx, f.Round.Code, f.Unit.Code)
	return err == nil && t.Received >= q, err
}

// ForgetRound drops the cached forms of a round after it changed here, so
// this replica applies the change at once (others within FormCacheTTL).
func (s *Service) ForgetRound(round string) {
	s.forms.drop(round)
	s.medians.drop(round)
}

// errNoForm is what a respondent reads for a link that leads nowhere (a
// mistyped or old address): what to do, not which codes did not match.
func errNoForm() error {
	return pinggu.Errorf(pinggu.NotFound, "没有找到这份问卷，请核对链接是否完整，或重新扫描二维码")
}

func (s *Service) loadForm(ctx context.Context, round, unit string) (*Form, error) {
	r, err := s.store.Round(ctx, round)
	if pinggu.ErrorCode(err) == pinggu.NotFound {
		return nil, errNoForm()
	}
	if err != nil {
		return nil, err
	}
	if !r.HasUnit(unit) {
		return nil, errNoForm()
	}
	u, err := s.store.Unit(ctx, unit)
	if err != nil {
		return nil, err
	}
	q, err := s.store.Questionnaire(ctx, r.Questionnaire, r.QuestionnaireVersion)
	if err != nil {
		return nil, err
	}
	f := &Form{Round: r, Unit: u, Questionnaire: q}
	if r.Integrity.SpeederShareOf() > 0 {
		if f.MedianMs, err = s.median(ctx, round); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// median is the median time of a round's timed responses (0 below
// SpeederMinSample), from its tallies — one small document per unit —
// read once per round every FormCacheTTL at most.
func (s *Service) median(ctx context.Context, round string) (int64, error) {
	if ms, _, fresh := s.medians.get(round); fresh {
		return ms, nil
	}
	ts, err := s.store.Tallies(ctx, round)
	if err != nil {
		return 0, err
	}
	hist := map[string]int{}
	for _, t := range ts {
		for k, n := range t.Durations {
			hist[k] += n
		}
	}
	ms, n := pinggu.MedianDuration(hist)
	if n < pinggu.SpeederMinSample {
		ms = 0
	}
	s.medians.put(round, ms)
	return ms, nil
}

// Submission is one questionnaire as it arrives, before validation.
type Submission struct {
	SID     string
	Round   string
	Unit    string
	Answers pinggu.Answers
	Channel pinggu.Channel
	Tag     string // the link's source tag (?tag=), optional
	Device  string
	IP      string
	Stamp   string    // the form's signed issue time; empty for API clients
	Trap    string    // the honeypot field: people never see it, bots fill it in
	Code    string    // an invitation code, where the round requires one
	At      time.Time // when it was received; zero means now
}

// Receipt says what happened to a submission. Created is false when the
// same submission id had been stored before: the caller answers as if it
// were new, with the same id.
type Receipt struct {
	ID      string
	Created bool
}

// invitationAlphabet leaves out characters people confuse (0/O, 1/I/L).
const invitationAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewInvitations makes n single-use codes for a unit of a round.
func (s *Service) NewInvitations(ctx context.Context, round, unit string, n int) ([]string, error) {
	if n < 1 || n > 10000 {
		return nil, pinggu.FieldErrors{"count": "每批邀请码数量须在1–10000之间"}.Err("数量有误")
	}
	if _, err := s.Form(ctx, round, unit); err != nil {
		return nil, err
	}
	codes := make([]string, n)
	b := make([]byte, pinggu.InvitationCodeLength)
	for i := range codes {
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		for j := range b {
			b[j] = invitationAlphabet[int(b[j])%len(invitationAlphabet)]
		}
		codes[i] = string(b)
	}
	return codes, s.store.AddInvitations(ctx, round, unit, codes, s.now().UTC().Truncate(time.Millisecond))
}

// Progress returns, for every unit of a round in its order, the responses
// received against the quota, read from the tallies.
func (s *Service) Progress(ctx context.Context, round string) ([]pinggu.Progress, error) {
	r, err := s.store.Round(ctx, round)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.Tallies(ctx, round)
	if err != nil {
		return nil, err
	}
	byUnit := make(map[string]pinggu.Tally, len(ts))
	for _, t := range ts {
		byUnit[t.Unit] = t
	}
	today := s.now().In(r.Location()).Format(pinggu.DateLayout)
	out := make([]pinggu.Progress, len(r.Units))
	for i, u := range r.Units {
		t := byUnit[u]
		z := r.Scoring.WithDefaults().Z
		out[i] = pinggu.Progress{Unit: u, Received: t.Received, Quota: r.Quotas[u], Today: t.Days[today], LastAt: t.LastAt, Days: t.Days,
			Flags: t.Flags, Strata: t.Strata, Channels: t.Channels,
			PlannedMargin: scoring.PlannedMargin(r.Quotas[u], z), Margin: scoring.PlannedMargin(t.Received, z)}
		// A unit's overflow is known only after its slot is taken, so it is
		// derived; responses beyond only their stratum's quota are counted.
		if over := t.Received - r.Quotas[u]; r.Quotas[u] > 0 && over > 0 {
			if out[i].Flags == nil {
				out[i].Flags = map[string]int{}
			}
			out[i].Flags[pinggu.FlagOverQuota] += over
		}
	}
	return out, nil
}

// NewSID returns a fresh submission id: 128 random bits, URL-safe.
func NewSID() string { return randomToken(16) }

// NewDeviceToken returns a fresh long-lived device token.
func NewDeviceToken() string { return randomToken(16) }

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Stamp signs the time a form was issued for a submission id, so the time a
// respondent took can be measured without trusting the browser's clock.
func (s *Service) Stamp(sid, round, unit string, at time.Time) string {
	ms := strconv.FormatInt(at.UnixMilli(), 10)
	return ms + "." + s.mac(sid, round, unit, ms)
}

func (s *Service) mac(parts ...string) string {
	h := hmac.New(sha256.New, s.formKey)
	h.Write([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// duration is the milliseconds from the signed issue stamp to at, or -1
// when the stamp is missing, forged, or from the future.
func (s *Service) duration(sub Submission, at time.Time) int64 {
	ms, sig, ok := strings.Cut(sub.Stamp, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.mac(sub.SID, sub.Round, sub.Unit, ms))) {
		return -1
	}
	issued, err := strconv.ParseInt(ms, 10, 64)
	if err != nil || issued > at.UnixMilli() {
		return -1
	}
	return at.UnixMilli() - issued
}

// HashIP keeps a client address only as a salted hash: enough to see bursts
// from one network, not enough to recover the address.
func (s *Service) HashIP(ip string) string {
	if ip == "" {
		return ""
	}
	h := hmac.New(sha256.New, s.ipSalt)
	h.Write([]byte(ip))
	return fmt.Sprintf("%x", h.Sum(nil)[:16])
}
