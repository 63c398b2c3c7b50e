package survey

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"pinggu"
)

// Submit validates and stores a submission once, then counts it. A round
// that is not open yields NotYetOpen or Closed; invalid answers yield
// Invalid with one message per question, and nothing is written.
//
// It runs as steps — admit, redeem, signals, insert, and reserve after the
// insert when the unit stops at its quota — and every step that takes
// something (an invitation code, a device mark, a quota slot, a stored
// response) pushes how to give it back onto one undo list. Whenever the
// submission ends without a new response stored (an error, a duplicate, a
// full quota) the list runs in reverse, so no step releases by hand. The
// insert joins concurrent submissions' in one group commit (commit.go).
func (s *Service) Submit(ctx context.Context, sub Submission) (Receipt, error) {
	p, err := s.admit(ctx, sub)
	if err != nil {
		return Receipt{}, err
	}
	u := &undo{log: s.log}
	r, err := s.take(ctx, p, u)
	if err != nil || !r.Created {
		u.run(ctx)
	}
	return r, err
}

// take runs the steps after admission; each may end the submission.
func (s *Service) take(ctx context.Context, p *pending, u *undo) (Receipt, error) {
	if err := s.redeem(ctx, p, u); err != nil {
		return Receipt{}, err
	}
	if err := s.signals(ctx, p, u); err != nil {
		return Receipt{}, err
	}
	if !p.stops {
		return s.insert(ctx, p, u)
	}
	// A unit that stops at its quota stores first and takes its slot
	// after: a retry of a stored response ends at the insert and never
	// holds a slot a new respondent needs, so the unit ends exactly at its
	// quota whatever the mix of retries and new respondents.
	if r, full, err := s.full(ctx, p); full || err != nil {
		return r, err
	}
	r, err := s.insert(ctx, p, u)
	if err != nil || !r.Created {
		return r, err
	}
	if err := s.reserve(ctx, p, u); err != nil {
		return Receipt{}, err // the undo list takes the response back
	}
	return r, nil
}

// pending is a submission on its way: admitted, with the response it will
// store and the tally entry that counts it.
type pending struct {
	sub   Submission
	form  *Form
	resp  *pinggu.Response
	entry pinggu.TallyEntry

	quota, cellQuota int  // the unit's and its stratum's quota (0: none)
	stops            bool // close mode: no slot beyond a quota
	markDevice       bool // flag it if its device answered the round before
}

// undo is what a submission has taken so far, given back in reverse order.
// Giving back must not depend on the request still being alive, and a
// failure is logged: the submission's own outcome is already decided.
type undo struct {
	log   *slog.Logger
	steps []undoStep
}

type undoStep struct {
	what string
	fn   func(context.Context) error
}

func (u *undo) push(what string, fn func(context.Context) error) {
	u.steps = append(u.steps, undoStep{what, fn})
}

func (u *undo) run(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for i := len(u.steps) - 1; i >= 0; i-- {
		if err := u.steps[i].fn(ctx); err != nil {
			u.log.Error(u.steps[i].what+" not given back", "err", err)
		}
	}
	u.steps = nil
}

// admit checks what can be checked without taking anything: the ids, the
// channel and tag, that the round takes answers now, and the answers
// against the questionnaire. It builds the response to store.
func (s *Service) admit(ctx context.Context, sub Submission) (*pending, error) {
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
		return nil, err
	}
	at := sub.At
	if at.IsZero() {
		at = s.now()
	}
	at = at.UTC().Truncate(time.Millisecond)
	f, err := s.Form(ctx, sub.Round, sub.Unit)
	if err != nil {
		return nil, err
	}
	switch f.Round.PhaseAt(at) {
	case pinggu.Upcoming:
		return nil, pinggu.Errorf(pinggu.NotYetOpen, "本次测评尚未开始")
	case pinggu.Over:
		return nil, pinggu.Errorf(pinggu.Closed, "本次测评已结束")
	}
	answers, err := f.Questionnaire.CleanAnswers(sub.Answers)
	if err != nil {
		return nil, err
	}
	p := &pending{sub: sub, form: f, quota: f.Round.Quotas[sub.Unit]}
	p.resp = &pinggu.Response{
		ID: sub.SID, Round: sub.Round, Unit: sub.Unit,
		Questionnaire: f.Questionnaire.Code, QuestionnaireVersion: f.Questionnaire.Version,
		Answers: answers, Channel: sub.Channel, Tag: sub.Tag, Device: sub.Device, SubmittedAt: at,
		DurationMs: s.duration(sub, at), IPHash: s.HashIP(sub.IP),
	}
	p.entry = pinggu.TallyEntry{Questionnaire: f.Questionnaire, Answers: answers, At: at,
		Day: at.In(f.Round.Location()).Format(pinggu.DateLayout), DurationMs: p.resp.DurationMs, Channel: sub.Channel}
	if st := f.Round.Strata; st != nil {
		p.entry.Stratum = st.Cell(answers)
		p.cellQuota = st.Quotas[p.entry.Stratum]
	}
	p.stops = (p.quota > 0 || p.cellQuota > 0) && f.Round.QuotaModeOf(sub.Unit) == pinggu.QuotaClose
	return p, nil
}

// redeem uses the submission's invitation code where the round requires
// one: it must exist, belong to the unit and be unused (a retry of the same
// submission may use it again, and then has nothing to give back).
func (s *Service) redeem(ctx context.Context, p *pending, u *undo) error {
	if !p.form.Round.Integrity.Invitations {
		return nil
	}
	round := p.form.Round.Code
	code := strings.ToUpper(strings.TrimSpace(p.sub.Code))
	if code == "" {
		return pinggu.FieldErrors{"code": "请输入邀请码"}.Err("缺少邀请码")
	}
	unit, err := s.store.InvitationUnit(ctx, round, code)
	if pinggu.ErrorCode(err) == pinggu.NotFound || err == nil && unit != p.form.Unit.Code {
		return pinggu.FieldErrors{"code": "邀请码无效，请核对后重新输入"}.Err("邀请码无效")
	}
	if err != nil {
		return err
	}
	got, err := s.store.Redeem(ctx, round, code, p.sub.SID)
	if err != nil {
		return err
	}
	switch got {
	case pinggu.CodeTaken:
		return pinggu.FieldErrors{"code": "此邀请码已被使用，每个邀请码只能提交一次"}.Err("邀请码已被使用")
	case pinggu.CodeRedeemed:
		u.push("invitation code", func(ctx context.Context) error { return s.store.Unredeem(ctx, round, code, p.sub.SID) })
	}
	return nil
}

// signals computes the quality flags of a submission and applies the
// round's device rule: refusing a device seen before is decided here, with
// a mark forgotten again if the response is not stored; flagging it is
// left to the group commit.
func (s *Service) signals(ctx context.Context, p *pending, u *undo) error {
	f, sub, resp := p.form, p.sub, p.resp
	in := f.Round.Integrity
	var flags []string
	if sub.Trap != "" {
		flags = append(flags, pinggu.FlagHoneypot)
	}
	if in.MinSeconds > 0 && resp.DurationMs >= 0 && resp.DurationMs < int64(in.MinSeconds)*1000 {
		flags = append(flags, pinggu.FlagTooFast)
	}
	if share := in.SpeederShareOf(); f.MedianMs > 0 && resp.DurationMs >= 0 && float64(resp.DurationMs) < share*float64(f.MedianMs) {
		flags = append(flags, pinggu.FlagSpeeder)
	}
	if pinggu.StraightLineFlag(f.Questionnaire, resp.Answers, in.StraightLineItems) {
		flags = append(flags, pinggu.FlagStraightLine)
	}
	if limit := in.BurstLimitOf(); limit >= 0 && resp.IPHash != "" {
		window := resp.SubmittedAt.Unix() / int64(pinggu.BurstWindow/time.Second)
		if n := s.countBurst(window, sub.Round+"/"+resp.IPHash); n > limit {
			flags = append(flags, pinggu.FlagBurst)
			// Slow the burst down a little rather than refuse it.
			select {
			case <-time.After(time.Duration(min(n-limit, 10)) * 100 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	resp.Flags, p.entry.Flags = flags, flags
	if sub.Device == "" || in.Device == "off" {
		return nil
	}
	if in.Device != "refuse" {
		// Flagging needs no answer before the insert: the group commit
		// marks the batch's devices together (commit.go).
		p.markDevice = true
		return nil
	}
	first, err := s.store.SeeDevice(ctx, sub.Round, sub.Device)
	if err != nil {
		return err
	}
	if first {
		u.push("device mark", func(ctx context.Context) error { return s.store.ForgetDevice(ctx, sub.Round, sub.Device) })
		return nil
	}
	// The same submission retried is not a second response.
	if _, err := s.store.Response(ctx, sub.Round, sub.SID); err == nil {
		return nil
	}
	return pinggu.Errorf(pinggu.Conflict, "本设备已参加过本次测评，感谢您的参与")
}

// reserve takes a quota slot, after the insert, for a unit that stops at
// its quota (or a response whose stratum does), in one conditional update:
// of any number of concurrent submissions at most the quota get one, so
// the sample (and each stratum) stops at exactly its quota. A submission
// that gets none ends with QuotaFull, and the undo list takes its response
// back.
func (s *Service) reserve(ctx context.Context, p *pending, u *undo) error {
	sub := p.sub
	slot, err := s.store.ReserveSlot(ctx, sub.Round, sub.Unit, p.quota, p.cellQuota, p.entry)
	if err != nil {
		return err
	}
	if !slot.OK {
		return s.quotaFull(p, slot.CellFull)
	}
	entry := p.entry
	u.push("quota slot", func(ctx context.Context) error { return s.store.ReleaseSlot(ctx, sub.Round, sub.Unit, entry) })
	return nil
}

// full answers, before anything is written, a submission to a unit (or
// stratum) already at its quota: the thank-you page for a retry of a
// stored response, QuotaFull for anyone else. Only a shortcut — the slot
// taken after the insert is what stops the sample — so an unfull unit
// costs one small read.
func (s *Service) full(ctx context.Context, p *pending) (Receipt, bool, error) {
	t, err := s.store.Tally(ctx, p.sub.Round, p.sub.Unit)
	if err != nil {
		return Receipt{}, true, err
	}
	unitFull := p.quota > 0 && t.Received >= p.quota
	cellFull := p.cellQuota > 0 && t.Strata[p.entry.Stratum] >= p.cellQuota
	if !unitFull && !cellFull {
		return Receipt{}, false, nil
	}
	if _, err := s.store.Response(ctx, p.sub.Round, p.sub.SID); err == nil {
		return Receipt{ID: p.sub.SID}, true, nil
	}
	return Receipt{}, true, s.quotaFull(p, !unitFull)
}

// quotaFull says whose sample is complete: the unit's, or its stratum's.
func (s *Service) quotaFull(p *pending, cell bool) error {
	if cell {
		return pinggu.Errorf(pinggu.QuotaFull, "%s中%s的受访者样本已收集完毕，感谢您的参与",
			p.form.Unit.Name, p.form.Round.Strata.Describe(p.form.Questionnaire, p.entry.Stratum))
	}
	return pinggu.Errorf(pinggu.QuotaFull, "%s的样本已收集完毕，感谢您的参与", p.form.Unit.Name)
}

// insert stores the response under its submission id in the next group
// commit — a duplicate key means it was stored before — which also counts
// a new one in its unit's tally (flagging it if it is beyond a quota the
// unit does not stop at), unless the unit stops at its quota: then the
// slot taken next counts it.
func (s *Service) insert(ctx context.Context, p *pending, u *undo) (Receipt, error) {
	sub := p.sub
	mode := countPlain
	switch {
	case p.stops:
		mode = countNot
	case p.quota > 0 || p.cellQuota > 0:
		mode = countQuota
	}
	res := s.commits.write(p, mode)
	if res.err != nil {
		return Receipt{}, res.err
	}
	if !res.created {
		return Receipt{ID: sub.SID}, nil
	}
	u.push("stored response", func(ctx context.Context) error { return s.store.DeleteResponse(ctx, sub.Round, sub.SID) })
	if res.cellOnlyOver {
		// The unit's overflow is derived from its count; a stratum's is
		// counted here, once the response is stored (rare: open mode only).
		if err := s.store.CountFlag(ctx, sub.Round, sub.Unit, pinggu.FlagOverQuota); err != nil {
			s.log.Error("over-quota flag not counted", "round", sub.Round, "unit", sub.Unit, "sid", sub.SID, "err", err)
		}
	}
	return Receipt{ID: sub.SID, Created: true}, nil
}
