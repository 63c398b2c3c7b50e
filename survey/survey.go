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
	InsertResponse(ctx context.Context, r *pinggu.Response) (created bool, err error)
	AddToTally(ctx context.Context, round, unit string, e pinggu.TallyEntry) error
	ReserveSlot(ctx context.Context, round, unit string, limit, cellLimit int, e pinggu.TallyEntry) (pinggu.Slot, error)
	ReleaseSlot(ctx context.Context, round, unit string, e pinggu.TallyEntry) error
	CountFlag(ctx context.Context, round, unit, flag string) error
	Response(ctx context.Context, id string) (*pinggu.Response, error)
	SeeDevice(ctx context.Context, round, device string) (first bool, err error)
	ForgetDevice(ctx context.Context, round, device string) error
	InvitationUnit(ctx context.Context, round, code string) (string, error)
	Redeem(ctx context.Context, round, code, sid string) (bool, error)
	Unredeem(ctx context.Context, round, code, sid string) error
	AddInvitations(ctx context.Context, round, unit string, codes []string, at time.Time) error
	Tallies(ctx context.Context, round string) ([]pinggu.Tally, error)
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
		forms: newCache[Form](), medians: newCache[int64]()}
}

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

// ForgetRound drops the cached forms of a round after it changed here, so
// this replica applies the change at once (others within FormCacheTTL).
func (s *Service) ForgetRound(round string) {
	s.forms.drop(round)
	s.medians.drop(round)
}

func (s *Service) loadForm(ctx context.Context, round, unit string) (*Form, error) {
	r, err := s.store.Round(ctx, round)
	if err != nil {
		return nil, err
	}
	if !r.HasUnit(unit) {
		return nil, pinggu.Errorf(pinggu.NotFound, "单位%s不在评估轮次%s中", unit, round)
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

// Submit validates and stores a submission once, then counts it. A round
// that is not open yields NotYetOpen or Closed; invalid answers yield
// Invalid with one message per question, and nothing is written.
func (s *Service) Submit(ctx context.Context, sub Submission) (Receipt, error) {
	fe := pinggu.FieldErrors{}
	if !pinggu.ValidSID(sub.SID) {
		fe.Add("sid", "提交编号须为8–64位字母、数字、-或_")
	}
	if !pinggu.ValidChannel(sub.Channel) {
		fe.Add("channel", "渠道须为web、qr、link、invite、cati、capi、paper或import")
	}
	if !pinggu.ValidTag(sub.Tag) {
		fe.Add("tag", "来源标记最多30个字，只能含文字、数字、空格和-_·()")
	}
	if err := fe.Err("提交内容有误"); err != nil {
		return Receipt{}, err
	}
	at := sub.At
	if at.IsZero() {
		at = s.now()
	}
	at = at.UTC().Truncate(time.Millisecond)
	f, err := s.Form(ctx, sub.Round, sub.Unit)
	if err != nil {
		return Receipt{}, err
	}
	switch f.Round.PhaseAt(at) {
	case pinggu.Upcoming:
		return Receipt{}, pinggu.Errorf(pinggu.NotYetOpen, "本次测评尚未开始")
	case pinggu.Over:
		return Receipt{}, pinggu.Errorf(pinggu.Closed, "本次测评已结束")
	}
	answers, err := f.Questionnaire.CleanAnswers(sub.Answers)
	if err != nil {
		return Receipt{}, err
	}
	resp := &pinggu.Response{
		ID: sub.SID, Round: sub.Round, Unit: sub.Unit,
		Questionnaire: f.Questionnaire.Code, QuestionnaireVersion: f.Questionnaire.Version,
		Answers: answers, Channel: sub.Channel, Tag: sub.Tag, Device: sub.Device, SubmittedAt: at,
		DurationMs: s.duration(sub, at), IPHash: s.HashIP(sub.IP),
	}
	if err := s.redeem(ctx, f, sub); err != nil {
		return Receipt{}, err
	}
	flags, forget, err := s.signals(ctx, f, sub, resp, answers)
	if err != nil {
		s.unredeem(ctx, f, sub)
		return Receipt{}, err
	}
	resp.Flags = flags
	// A unit with a quota, or a response whose stratum has one, takes a slot
	// before the response is stored, in one conditional update: in close
	// mode that is what stops the sample (and each stratum) at exactly its
	// quota under any concurrency; in open mode it tells whether this
	// response is beyond it.
	quota := f.Round.Quotas[sub.Unit]
	entry := pinggu.TallyEntry{Questionnaire: f.Questionnaire, Answers: answers, Flags: flags, At: at,
		Day: at.In(f.Round.Location()).Format(pinggu.DateLayout), DurationMs: resp.DurationMs, Channel: sub.Channel}
	cellQuota := 0
	if st := f.Round.Strata; st != nil {
		entry.Stratum = st.Cell(answers)
		cellQuota = st.Quotas[entry.Stratum]
	}
	reserved := quota > 0 || cellQuota > 0
	cellOnlyOver := false // beyond its stratum's quota but not the unit's
	if reserved {
		limit, cellLimit := 0, 0
		if f.Round.QuotaModeOf(sub.Unit) == pinggu.QuotaClose {
			limit, cellLimit = quota, cellQuota
		}
		slot, err := s.store.ReserveSlot(ctx, sub.Round, sub.Unit, limit, cellLimit, entry)
		if err != nil {
			s.unredeem(ctx, f, sub)
			return Receipt{}, err
		}
		if !slot.OK {
			// A double tap on the last slot must still see its thank-you
			// page: look the id up (a slow read, but only once full).
			if _, err := s.store.Response(ctx, sub.SID); err == nil {
				return Receipt{ID: sub.SID}, nil
			}
			s.unredeem(ctx, f, sub)
			if slot.CellFull {
				return Receipt{}, pinggu.Errorf(pinggu.QuotaFull, "%s中%s的受访者样本已收集完毕，感谢您的参与",
					f.Unit.Name, f.Round.Strata.Describe(f.Questionnaire, entry.Stratum))
			}
			return Receipt{}, pinggu.Errorf(pinggu.QuotaFull, "%s的样本已收集完毕，感谢您的参与", f.Unit.Name)
		}
		unitOver := quota > 0 && slot.Received > quota
		cellOnlyOver = !unitOver && cellQuota > 0 && slot.Cell > cellQuota
		if unitOver || cellOnlyOver {
			resp.Flags = append(resp.Flags, pinggu.FlagOverQuota)
		}
	}
	created, err := s.store.InsertResponse(ctx, resp)
	if err != nil {
		s.unredeem(ctx, f, sub)
	}
	if forget && (err != nil || !created) {
		_ = s.store.ForgetDevice(context.WithoutCancel(ctx), sub.Round, sub.Device)
	}
	if reserved && (err != nil || !created) {
		// Nothing new was stored: give the slot back.
		if rerr := s.store.ReleaseSlot(context.WithoutCancel(ctx), sub.Round, sub.Unit, entry); rerr != nil {
			s.log.Error("quota slot not released", "round", sub.Round, "unit", sub.Unit, "err", rerr)
		}
	}
	if err != nil {
		return Receipt{}, err
	}
	if created && !reserved { // a quota slot already counted it
		// The response is stored and is the record; the tally is derived
		// from it. Failing the request now would make the client retry into
		// "already stored", so log instead.
		if err := s.store.AddToTally(ctx, sub.Round, sub.Unit, entry); err != nil {
			s.log.Error("response stored but not counted", "round", sub.Round, "unit", sub.Unit, "sid", sub.SID, "err", err)
		}
	}
	if created && cellOnlyOver {
		// The unit's overflow is derived from its count; a stratum's is
		// counted here, once the response is stored (rare: open mode only).
		if err := s.store.CountFlag(ctx, sub.Round, sub.Unit, pinggu.FlagOverQuota); err != nil {
			s.log.Error("over-quota flag not counted", "round", sub.Round, "unit", sub.Unit, "sid", sub.SID, "err", err)
		}
	}
	return Receipt{ID: sub.SID, Created: created}, nil
}

// redeem uses the submission's invitation code where the round requires
// one: it must exist, belong to the unit and be unused (a retry of the same
// submission may use it again).
func (s *Service) redeem(ctx context.Context, f *Form, sub Submission) error {
	if !f.Round.Integrity.Invitations {
		return nil
	}
	code := strings.ToUpper(strings.TrimSpace(sub.Code))
	if code == "" {
		return pinggu.FieldErrors{"code": "请输入邀请码"}.Err("缺少邀请码")
	}
	unit, err := s.store.InvitationUnit(ctx, f.Round.Code, code)
	if pinggu.ErrorCode(err) == pinggu.NotFound || err == nil && unit != f.Unit.Code {
		return pinggu.FieldErrors{"code": "邀请码无效，请核对后重新输入"}.Err("邀请码无效")
	}
	if err != nil {
		return err
	}
	ok, err := s.store.Redeem(ctx, f.Round.Code, code, sub.SID)
	if err != nil {
		return err
	}
	if !ok {
		return pinggu.FieldErrors{"code": "此邀请码已被使用，每个邀请码只能提交一次"}.Err("邀请码已被使用")
	}
	return nil
}

func (s *Service) unredeem(ctx context.Context, f *Form, sub Submission) {
	if !f.Round.Integrity.Invitations || sub.Code == "" {
		return
	}
	if err := s.store.Unredeem(context.WithoutCancel(ctx), f.Round.Code, strings.ToUpper(strings.TrimSpace(sub.Code)), sub.SID); err != nil {
		s.log.Error("invitation code not given back", "round", f.Round.Code, "err", err)
	}
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

// signals computes the quality flags of a submission and applies the
// round's device rule. forget is true when this submission recorded its
// device as seen, to be undone if the response is not stored.
func (s *Service) signals(ctx context.Context, f *Form, sub Submission, resp *pinggu.Response, a pinggu.Answers) (flags []string, forget bool, err error) {
	in := f.Round.Integrity
	if sub.Trap != "" {
		flags = append(flags, pinggu.FlagHoneypot)
	}
	if in.MinSeconds > 0 && resp.DurationMs >= 0 && resp.DurationMs < int64(in.MinSeconds)*1000 {
		flags = append(flags, pinggu.FlagTooFast)
	}
	if share := in.SpeederShareOf(); f.MedianMs > 0 && resp.DurationMs >= 0 && float64(resp.DurationMs) < share*float64(f.MedianMs) {
		flags = append(flags, pinggu.FlagSpeeder)
	}
	if pinggu.StraightLineFlag(f.Questionnaire, a, in.StraightLineItems) {
		flags = append(flags, pinggu.FlagStraightLine)
	}
	if limit := in.BurstLimit; limit >= 0 && resp.IPHash != "" {
		if limit == 0 {
			limit = 20
		}
		window := resp.SubmittedAt.Unix() / int64(pinggu.BurstWindow/time.Second)
		if n := s.countBurst(window, sub.Round+"/"+resp.IPHash); n > limit {
			flags = append(flags, pinggu.FlagBurst)
			// Slow the burst down a little rather than refuse it.
			select {
			case <-time.After(time.Duration(min(n-limit, 10)) * 100 * time.Millisecond):
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
		}
	}
	if sub.Device == "" || in.Device == "off" {
		return flags, false, nil
	}
	first, err := s.store.SeeDevice(ctx, sub.Round, sub.Device)
	if err != nil {
		return nil, false, err
	}
	if first {
		return flags, true, nil
	}
	if in.Device == "refuse" {
		// The same submission retried is not a second response.
		if _, err := s.store.Response(ctx, sub.SID); err == nil {
			return flags, false, nil
		}
		return nil, false, pinggu.Errorf(pinggu.Conflict, "本设备已参加过本次测评，感谢您的参与")
	}
	return append(flags, pinggu.FlagDuplicateDevice), false, nil
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
