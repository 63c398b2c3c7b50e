package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"pinggu"
	"pinggu/report"
	"pinggu/scoring"
)

// CompileStore is what compiling and exporting need from the database.
type CompileStore interface {
	Round(ctx context.Context, code string) (*pinggu.Round, error)
	Questionnaire(ctx context.Context, code string, version int) (*pinggu.Questionnaire, error)
	Units(ctx context.Context) ([]pinggu.Unit, error)
	EachResponse(ctx context.Context, round string, fn func(*pinggu.Response) error) error
	SaveReport(ctx context.Context, r *pinggu.Report, content io.Reader) error
	DeleteReport(ctx context.Context, id string) error
	Reports(ctx context.Context, round string) ([]pinggu.Report, error)
	IndicatorSystem(ctx context.Context, code string, version int) (*pinggu.IndicatorSystem, error)
	Inputs(ctx context.Context, round, unit string) ([]pinggu.Input, error)
	Adjustments(ctx context.Context, round, unit string) ([]pinggu.Adjustment, error)
	Appeals(ctx context.Context, round, unit string) ([]pinggu.Appeal, error)
	SelfEntries(ctx context.Context, round, unit string) ([]pinggu.SelfEntry, error)
	AddRectifications(ctx context.Context, rs []pinggu.Rectification) (int, error)
	Rectifications(ctx context.Context, round, unit string) ([]pinggu.Rectification, error)
	Plan(ctx context.Context, code string) (*pinggu.Plan, error)
	Tasks(ctx context.Context, plan string) ([]pinggu.PlanTask, error)
	EachProgress(ctx context.Context, plan, task string, fn func(*pinggu.ProgressReport) error) error
	Exclusions(ctx context.Context, round string) ([]pinggu.Exclusion, error)
	RecordFlagged(ctx context.Context, rs []*pinggu.Response) error
}

// Compiler computes a round's results and writes its reports.
type Compiler struct {
	store CompileStore
	now   func() time.Time
	// TempDir holds workbooks while they are written ("" = the system's).
	TempDir string
	// Org is the installation's organisation, the author of its workbooks.
	Org string
}

// NewCompiler returns a compiler.
func NewCompiler(store CompileStore, now func() time.Time) *Compiler {
	return &Compiler{store: store, now: now}
}

// Progress reports a job's fraction done.
type Progress func(done float64)

// inputs loads what every compile of a round starts from.
func (c *Compiler) inputs(ctx context.Context, code string) (*pinggu.Round, *pinggu.Questionnaire, []pinggu.Unit, error) {
	r, err := c.store.Round(ctx, code)
	if err != nil {
		return nil, nil, nil, err
	}
	q, err := c.store.Questionnaire(ctx, r.Questionnaire, r.QuestionnaireVersion)
	if err != nil {
		return nil, nil, nil, err
	}
	all, err := c.store.Units(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	return r, q, pinggu.RoundUnits(all, r.Units), nil
}

// Quality counts what the compile left out, and every flag, per unit.
type Quality struct {
	Excluded map[string]map[string]int // unit → reason → responses
	Flags    map[string]map[string]int // unit → flag → responses
	// ByChannel tallies the same responses under "unit|channel|tag", the
	// breakdown of every unit's results by how and where they came in.
	ByChannel *scoring.Tally
	channels  map[channelKey]string // → "unit|channel|tag", made once per key
	// Rows counts every response read (excluded ones too), Digest their
	// input rows, AsOf the latest submission time among them.
	Rows   int
	Digest report.Digest
	AsOf   time.Time
}

type channelKey struct {
	unit, tag string
	channel   pinggu.Channel
}

// addByChannel tallies a response under its unit, channel and tag.
func (q *Quality) addByChannel(resp *pinggu.Response) {
	k := channelKey{resp.Unit, resp.Tag, resp.Channel}
	key, ok := q.channels[k]
	if !ok {
		key = resp.Unit + "|" + string(resp.Channel) + "|" + resp.Tag
		q.channels[k] = key
	}
	unit := resp.Unit
	resp.Unit = key // borrowed for the call: the response is the stream's, not kept
	q.ByChannel.Add(resp)
	resp.Unit = unit
}

// channelResults are each unit's results per channel and source tag.
func (q *Quality) channelResults() map[string][]report.ChannelResult {
	keys := make([]string, 0, len(q.channels))
	for _, k := range q.channels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := map[string][]report.ChannelResult{}
	for i, res := range q.ByChannel.Results(keys) {
		parts := strings.SplitN(keys[i], "|", 3)
		out[parts[0]] = append(out[parts[0]], report.ChannelResult{Channel: pinggu.Channel(parts[1]), Tag: parts[2], Result: res})
	}
	return out
}

func count(m map[string]map[string]int, unit, key string) {
	if m[unit] == nil {
		m[unit] = map[string]int{}
	}
	m[unit][key]++
}

// Tally streams the round's responses into a tally, leaving out excluded
// ones, checking ctx between batches, so a compile never holds the
// responses in memory. The same pass digests every response's input row
// of the raw export (raw), the fingerprint's hold on the data.
func (c *Compiler) Tally(ctx context.Context, r *pinggu.Round, t *scoring.Tally, raw *report.Raw, also func(*pinggu.Response) error,
	progress Progress, expected int) (*Quality, error) {
	q := raw.Questionnaire
	qual := &Quality{Excluded: map[string]map[string]int{}, Flags: map[string]map[string]int{},
		ByChannel: scoring.NewTally(q, r.Scoring).WithoutInstrument(), channels: map[channelKey]string{}}
	var flagged []*pinggu.Response // review copies, recorded again: a submission may have failed to
	err := c.store.EachResponse(ctx, r.Code, func(resp *pinggu.Response) error {
		qual.Rows++
		qual.Digest.Add(raw.InputRecord(resp))
		if also != nil {
			if err := also(resp); err != nil {
				return err
			}
		}
		if resp.SubmittedAt.After(qual.AsOf) {
			qual.AsOf = resp.SubmittedAt
		}
		for _, f := range resp.Flags {
			count(qual.Flags, resp.Unit, f)
		}
		if len(resp.Flags) > 0 {
			flagged = append(flagged, &pinggu.Response{ID: resp.ID, Round: resp.Round, Unit: resp.Unit, Flags: resp.Flags,
				Channel: resp.Channel, SubmittedAt: resp.SubmittedAt, DurationMs: resp.DurationMs})
		}
		if reason, ok := raw.Excluded[resp.ID]; ok {
			count(qual.Excluded, resp.Unit, reason)
			return nil
		}
		t.Add(resp)
		qual.addByChannel(resp)
		if t.Count()%2000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if progress != nil && expected > 0 {
				progress(min(0.9, 0.9*float64(t.Count())/float64(expected)))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Copies already kept are left alone; this only fills gaps.
	return qual, c.store.RecordFlagged(ctx, flagged)
}

// publication is everything one set of inputs publishes: the scorecard's
// contents, the method file and its fingerprint. Compile and Export build
// it the same way, so their files share the fingerprint.
type publication struct {
	sc     *report.Scorecard
	raw    *report.Raw
	method []byte
	fp     string
}

// publish tallies the round and scores it (assessment rounds on their
// indicator tree) and writes the method file. When also is set it gets
// every response of the pass, after raw can write its row.
func (c *Compiler) publish(ctx context.Context, code string, final bool, expected int, progress Progress,
	also func(*report.Raw, *pinggu.Response) error) (*publication, error) {
	r, q, units, err := c.inputs(ctx, code)
	if err != nil {
		return nil, err
	}
	es, err := c.store.Exclusions(ctx, r.Code)
	if err != nil {
		return nil, err
	}
	raw := &report.Raw{Round: r, Questionnaire: q, UnitNames: pinggu.UnitNames(units), Excluded: make(map[string]string, len(es)),
		Status: report.ResultStatus(final), Org: c.Org}
	for _, e := range es {
		raw.Excluded[e.Response] = e.Reason
	}
	tally := scoring.NewTally(q, r.Scoring)
	raw.Tally = tally // a row's scores need only the tally; its weight, without weighting, neither
	var each func(*pinggu.Response) error
	if also != nil {
		each = func(resp *pinggu.Response) error { return also(raw, resp) }
	}
	qual, err := c.Tally(ctx, r, tally, raw, each, progress, expected)
	if err != nil {
		return nil, err
	}
	sc := &report.Scorecard{Round: r, Questionnaire: q, Units: units, Results: tally.Results(r.Units), Final: final,
		Responses: tally.Count(), IDsHash: tally.IDsHash(), Excluded: qual.Excluded, Flags: qual.Flags, Channels: qual.channelResults(),
		Reliability: tally.Reliabilities(), Importance: tally.Importances(), Method: tally.Method(), Org: c.Org}
	asOf := qual.AsOf
	if r.Assessment != nil {
		if err := c.assess(ctx, sc); err != nil {
			return nil, err
		}
		for _, m := range sc.Inputs {
			for _, in := range m {
				asOf = later(asOf, in.At)
			}
		}
		for _, xs := range sc.Adjustments {
			for _, x := range xs {
				asOf = later(asOf, x.At)
			}
		}
	}
	if final {
		asOf = later(asOf, r.ClosesAt)
	}
	if asOf.IsZero() {
		asOf = r.OpensAt
	}
	sc.AsOf = asOf.UTC().Truncate(time.Second)
	if r.Baseline != "" {
		if sc.Baseline, err = c.baseline(ctx, r.Baseline); err != nil {
			return nil, err
		}
	}
	raw.Results = map[string]scoring.UnitResult{}
	for _, res := range sc.Results {
		raw.Results[res.Unit] = res
	}
	m := methodOf(sc, tally, raw, qual)
	b, err := m.Encode()
	if err != nil {
		return nil, err
	}
	sc.Fingerprint = report.Fingerprint(b)
	return &publication{sc: sc, raw: raw, method: b, fp: sc.Fingerprint}, nil
}

// baseline loads the newest final scorecard of the baseline round; nil
// (no comparison, said in 说明) while it has none or no longer exists.
func (c *Compiler) baseline(ctx context.Context, code string) (*report.Baseline, error) {
	b, err := c.store.Round(ctx, code)
	if pinggu.ErrorCode(err) == pinggu.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	reps, err := c.store.Reports(ctx, code)
	if err != nil {
		return nil, err
	}
	var best *pinggu.Report
	for i := range reps {
		if r := &reps[i]; r.Kind == pinggu.ReportScorecard && r.Final && (best == nil || r.CreatedAt.After(best.CreatedAt)) {
			best = r
		}
	}
	if best == nil {
		return nil, nil
	}
	out := &report.Baseline{Round: b.Code, Title: b.Title, Report: best.ID, Fingerprint: best.Fingerprint, Scores: map[string]pinggu.UnitScore{}}
	for _, s := range best.Scores {
		s.Change = nil // the baseline's own comparison is not an input here
		out.Scores[s.Unit] = s
	}
	return out, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Compile computes the round's results and stores the scorecard workbook
// and the method file. An identical earlier report (same inputs, same
// finality) is returned instead of a new one, so reruns change nothing;
// a fresh compile of the same inputs writes the same bytes.
func (c *Compiler) Compile(ctx context.Context, code string, final bool, expected int, progress Progress) (*pinggu.Report, error) {
	if r, err := c.store.Round(ctx, code); err != nil {
		return nil, err
	} else if r.Midterm != nil {
		return c.compileMidterm(ctx, r, final)
	}
	p, err := c.publish(ctx, code, final, expected, progress, nil)
	if err != nil {
		return nil, err
	}
	sc, r := p.sc, p.sc.Round
	if final && r.Assessment != nil && !r.Assessment.AllowGaps {
		if err := missingEntries(sc); err != nil {
			return nil, err
		}
	}
	if final && r.Assessment != nil {
		// The result is final only once every appeal is answered.
		if err := pinggu.OpenAppealsError(sc.Appeals, pinggu.UnitNames(sc.Units), r.Location()); err != nil {
			return nil, fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
	}
	if err := c.saveMethod(ctx, p, final); err != nil {
		return nil, err
	}
	if rep := c.existing(ctx, code, pinggu.ReportScorecard, final, p.fp); rep != nil {
		return rep, c.rectify(ctx, sc)
	}
	now := c.now().UTC().Truncate(time.Millisecond)
	rep := newReport(r, pinggu.ReportScorecard, final, p.fp, sc.Responses, now, pinggu.FinalLabel(final)+"结果", ".xlsx", xlsxType)
	rep.Scores = sc.UnitScores()
	if err := c.save(ctx, rep, func(w io.Writer) error { return report.WriteScorecard(w, sc) }); err != nil {
		return nil, err
	}
	return rep, c.rectify(ctx, sc)
}

// rectify makes, from a final assessment result, a rectification item of
// every leaf that lost more than the round's share of its points, due the
// round's number of days after the close. Items are keyed by round, unit
// and leaf, so a rerun adds nothing twice.
func (c *Compiler) rectify(ctx context.Context, sc *report.Scorecard) error {
	r := sc.Round
	if !sc.Final || r.Assessment == nil {
		return nil
	}
	loss, days := r.Assessment.RectifyRule()
	due := pinggu.Date(r.ClosesAt.In(r.Location()).AddDate(0, 0, days).Format(pinggu.DateLayout))
	var items []pinggu.Rectification
	for i, u := range sc.Units {
		for _, n := range scoring.LostPoints(sc.System, sc.Assessments[i], loss) {
			key := sha256.Sum256([]byte(r.Code + "/" + u.Code + "/" + n.Code)) // one id per round, unit and leaf, fit for a URL
			items = append(items, pinggu.Rectification{ID: hex.EncodeToString(key[:8]), Round: r.Code, Unit: u.Code,
				Source: pinggu.RectLostPoints, Indicator: n.Code, Deadline: due, Status: pinggu.RectOpen, CreatedBy: "系统",
				CreatedAt: sc.AsOf, Finding: fmt.Sprintf("%s「%s」得分%s（满分%s），失分%s：%s", n.Code, n.Name,
					strconv.FormatFloat(n.Score, 'f', -1, 64), strconv.FormatFloat(n.Max, 'f', -1, 64),
					strconv.FormatFloat(scoring.RoundScore(n.Max-n.Score), 'f', -1, 64), n.Input)})
		}
	}
	if len(items) == 0 {
		return nil
	}
	_, err := c.store.AddRectifications(ctx, items)
	return err
}

// saveMethod stores the method file of a publication (once per fingerprint).
func (c *Compiler) saveMethod(ctx context.Context, p *publication, final bool) error {
	r := p.sc.Round
	if rep := c.existing(ctx, r.Code, pinggu.ReportMethod, final, p.fp); rep != nil {
		return nil
	}
	rep := newReport(r, pinggu.ReportMethod, final, p.fp, p.sc.Responses, c.now().UTC().Truncate(time.Millisecond),
		pinggu.FinalLabel(final)+"方法说明", ".json", "application/json")
	return c.save(ctx, rep, func(w io.Writer) error {
		_, err := w.Write(p.method)
		return err
	})
}

// Export writes the round's raw responses as .xlsx and .csv reports, with
// the exclusion, flags, scores and weight of every response, and the
// method file, with the fingerprint of a compile of the same inputs. An
// unweighted round is written in the tally pass itself; with weighting a
// row's weight depends on its whole cell, so the rows are written in a
// second pass.
func (c *Compiler) Export(ctx context.Context, code string, progress Progress) ([]*pinggu.Report, error) {
	r, err := c.store.Round(ctx, code)
	if err != nil {
		return nil, err
	}
	final := r.Status.Finished()
	xf, err := c.tempFile()
	if err != nil {
		return nil, err
	}
	defer xf.remove()
	cf, err := c.tempFile()
	if err != nil {
		return nil, err
	}
	defer cf.remove()
	// The writer needs the publication's raw description, which the tally
	// pass makes: it is opened at the first row, or after the pass.
	var rw *report.RawWriter
	open := func(raw *report.Raw) (err error) {
		if rw == nil {
			rw, err = report.NewRawWriter(xf.w, cf.w, raw)
		}
		return err
	}
	defer func() {
		if rw != nil {
			rw.Close()
		}
	}()
	oneScan := r.Scoring.Weighting == nil
	var inPass func(*report.Raw, *pinggu.Response) error
	if oneScan {
		inPass = func(raw *report.Raw, resp *pinggu.Response) error {
			if err := open(raw); err != nil {
				return err
			}
			return rw.Add(resp)
		}
	}
	p, err := c.publish(ctx, code, final, 0, nil, inPass)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(0.5)
	}
	if err := c.saveMethod(ctx, p, final); err != nil {
		return nil, err
	}
	if err := open(p.raw); err != nil {
		return nil, err
	}
	if !oneScan {
		err = c.store.EachResponse(ctx, code, func(resp *pinggu.Response) error {
			if rw.Rows%2000 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			return rw.Add(resp)
		})
		if err != nil {
			return nil, err
		}
	}
	if err := rw.Finish(); err != nil {
		return nil, fmt.Errorf("write raw export: %w", err)
	}
	if progress != nil {
		progress(0.8)
	}
	now := c.now().UTC().Truncate(time.Millisecond)
	var out []*pinggu.Report
	for _, k := range []struct {
		kind       pinggu.ReportKind
		ext, ctype string
		file       *tempFile
	}{
		{pinggu.ReportRawXLSX, ".xlsx", xlsxType, xf},
		{pinggu.ReportRawCSV, ".csv", "text/csv; charset=utf-8", cf},
	} {
		if rep := c.existing(ctx, code, k.kind, final, p.fp); rep != nil {
			out = append(out, rep)
			continue
		}
		rep := newReport(r, k.kind, final, p.fp, rw.Rows, now, "原始数据", k.ext, k.ctype)
		if err := c.storeFile(ctx, rep, k.file); err != nil {
			return nil, err
		}
		out = append(out, rep)
	}
	return out, nil
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// newReport describes a report about to be written: its id follows from
// the round, kind, finality and fingerprint, its file name from the round's
// title, what it is and the time in the round's zone.
func newReport(r *pinggu.Round, kind pinggu.ReportKind, final bool, fp string, responses int, now time.Time,
	what, ext, contentType string) *pinggu.Report {
	return &pinggu.Report{ID: reportID(r.Code, kind, final, fp), Round: r.Code, Kind: kind, Final: final, Fingerprint: fp,
		Responses: responses, CreatedAt: now, ContentType: contentType,
		FileName: fmt.Sprintf("%s-%s-%s%s", r.Title, what, now.In(r.Location()).Format("20060102-1504"), ext)}
}

func (c *Compiler) existing(ctx context.Context, round string, kind pinggu.ReportKind, final bool, fp string) *pinggu.Report {
	reps, err := c.store.Reports(ctx, round)
	if err != nil {
		return nil
	}
	for _, r := range reps {
		if r.Kind == kind && r.Final == final && r.Fingerprint == fp {
			return &r
		}
	}
	return nil
}

// tempFile is a file being written, hashed as it goes.
type tempFile struct {
	f *os.File
	h hash.Hash
	w io.Writer
}

func (c *Compiler) tempFile() (*tempFile, error) {
	f, err := os.CreateTemp(c.TempDir, "pinggu-report-*")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	return &tempFile{f: f, h: h, w: io.MultiWriter(f, h)}, nil
}

func (t *tempFile) remove() {
	t.f.Close()
	os.Remove(t.f.Name())
}

// save writes a report to a temporary file (to know its size and hash),
// then stores it; the report is visible only once stored whole.
func (c *Compiler) save(ctx context.Context, rep *pinggu.Report, write func(io.Writer) error) error {
	t, err := c.tempFile()
	if err != nil {
		return err
	}
	defer t.remove()
	if err := write(t.w); err != nil {
		return fmt.Errorf("write %s: %w", rep.Kind, err)
	}
	return c.storeFile(ctx, rep, t)
}

// storeFile stores a written temporary file as the report rep.
func (c *Compiler) storeFile(ctx context.Context, rep *pinggu.Report, t *tempFile) error {
	size, err := t.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	rep.Size, rep.SHA256 = size, hex.EncodeToString(t.h.Sum(nil))
	err = c.store.SaveReport(ctx, rep, t.f)
	if pinggu.ErrorCode(err) == pinggu.Conflict {
		return nil // the same report was stored by an earlier run
	}
	if err != nil || rep.Final {
		return err
	}
	return c.dropOlderProvisional(ctx, rep)
}

// dropOlderProvisional keeps one provisional report of each kind: the
// newest. Final reports are kept for good.
func (c *Compiler) dropOlderProvisional(ctx context.Context, rep *pinggu.Report) error {
	old, err := c.store.Reports(ctx, rep.Round)
	if err != nil {
		return err
	}
	for _, o := range old {
		if !o.Final && o.Kind == rep.Kind && o.ID != rep.ID {
			if err := c.store.DeleteReport(ctx, o.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func reportID(round string, kind pinggu.ReportKind, final bool, fp string) string {
	f := "prov"
	if final {
		f = "final"
	}
	return fmt.Sprintf("%s-%s-%s-%s", round, kind, f, fp[:16])
}

// assess scores every unit on the round's indicator system, from the
// reviewers' entries, the events and the satisfaction dimensions.
func (c *Compiler) assess(ctx context.Context, sc *report.Scorecard) error {
	a := sc.Round.Assessment
	sys, err := c.store.IndicatorSystem(ctx, a.IndicatorSystem, a.IndicatorVersion)
	if err != nil {
		return err
	}
	ins, err := c.store.Inputs(ctx, sc.Round.Code, "")
	if err != nil {
		return err
	}
	adj, err := c.store.Adjustments(ctx, sc.Round.Code, "")
	if err != nil {
		return err
	}
	if sc.Appeals, err = c.store.Appeals(ctx, sc.Round.Code, ""); err != nil {
		return err
	}
	self, err := c.store.SelfEntries(ctx, sc.Round.Code, "")
	if err != nil {
		return err
	}
	sc.Self = map[string]map[string]pinggu.SelfEntry{}
	for _, e := range self {
		if sc.Self[e.Unit] == nil {
			sc.Self[e.Unit] = map[string]pinggu.SelfEntry{}
		}
		sc.Self[e.Unit][e.Indicator] = e
	}
	sc.System, sc.Inputs, sc.Adjustments = sys, map[string]map[string]pinggu.Input{}, map[string][]pinggu.Adjustment{}
	sc.Entries = pinggu.EntriesByUnit(ins)
	for _, in := range ins {
		if sc.Inputs[in.Unit] == nil {
			sc.Inputs[in.Unit] = map[string]pinggu.Input{}
		}
		sc.Inputs[in.Unit][in.Indicator] = in
	}
	for _, x := range adj {
		sc.Adjustments[x.Unit] = append(sc.Adjustments[x.Unit], x)
	}
	for i, u := range sc.Units {
		dims := map[string]scoring.Stat{}
		for _, d := range sc.Results[i].Dimensions {
			dims[d.Dimension] = d.Stat
		}
		sc.Assessments = append(sc.Assessments, scoring.ScoreUnit(sys, a, u, sc.Entries[u.Code], dims, sc.Adjustments[u.Code]))
	}
	scoring.RankAssessments(sc.Assessments, a.VetoRankOrDefault())
	return nil
}

// missingEntries refuses a final compile while leaves lack a reviewer's
// entry: a gap is never a silent 0 in a published ranking.
func missingEntries(sc *report.Scorecard) error {
	if err := pinggu.GapsError(scoring.Gaps(sc.System, sc.Units, sc.Assessments)); err != nil {
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return nil
}

// compileMidterm evaluates the round's plans at its as-of date from each
// task's latest accepted report on or before it, and stores the workbook.
func (c *Compiler) compileMidterm(ctx context.Context, r *pinggu.Round, final bool) (*pinggu.Report, error) {
	m := r.Midterm
	asOf := m.AsOf.Time()
	units, err := c.store.Units(ctx)
	if err != nil {
		return nil, err
	}
	out := &report.Midterm{Round: r, Final: final, UnitNames: pinggu.UnitNames(units), Org: c.Org}
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%g\n", r.Code, m.AsOf, m.DeltaOrDefault())
	for _, code := range m.Plans {
		plan, err := c.store.Plan(ctx, code)
		if err != nil {
			return nil, err
		}
		tasks, err := c.store.Tasks(ctx, code)
		if err != nil {
			return nil, err
		}
		latest := map[string]*pinggu.ProgressReport{}
		err = c.store.EachProgress(ctx, code, "", func(p *pinggu.ProgressReport) error {
			if p.Status != pinggu.ReportAccepted || p.AsOf.Time().After(asOf) {
				return nil
			}
			if cur := latest[p.Task]; cur == nil || p.AsOf > cur.AsOf || p.AsOf == cur.AsOf && p.SubmittedAt.After(cur.SubmittedAt) {
				latest[p.Task] = p
			}
			return ctx.Err()
		})
		if err != nil {
			return nil, err
		}
		// The fingerprint names the plan, its task list and the reports that count.
		b, _ := json.Marshal(struct {
			Plan  *pinggu.Plan
			Tasks []pinggu.PlanTask
		}{plan, tasks})
		h.Write(b)
		for _, t := range tasks {
			if p := latest[t.No]; p != nil {
				fmt.Fprintf(h, "%s:%s;", t.No, p.ID)
				out.Reports++
			}
		}
		out.Plans = append(out.Plans, scoring.EvaluatePlan(plan, tasks, latest, asOf, m.DeltaOrDefault(), m.PassOrDefault()))
	}
	fp := hex.EncodeToString(h.Sum(nil))
	if rep := c.existing(ctx, r.Code, pinggu.ReportMidterm, final, fp); rep != nil {
		return rep, nil
	}
	now := c.now().UTC().Truncate(time.Millisecond)
	out.Fingerprint = fp
	rep := newReport(r, pinggu.ReportMidterm, final, fp, out.Reports, now, "中期评估"+pinggu.FinalLabel(final)+"报告", ".xlsx", xlsxType)
	return rep, c.save(ctx, rep, func(w io.Writer) error { return report.WriteMidterm(w, out) })
}

// Ledger writes a round's 整改台账: every rectification item with its
// status and days overdue today in the round's zone. The same items on
// the same day give the same workbook, which is then not stored twice.
func (c *Compiler) Ledger(ctx context.Context, code string) (*pinggu.Report, error) {
	r, err := c.store.Round(ctx, code)
	if err != nil {
		return nil, err
	}
	if r.Assessment == nil {
		return nil, fmt.Errorf("%w: %w", pinggu.Errorf(pinggu.Conflict, "评估轮次%s不是考核轮次，没有整改台账", code), asynq.SkipRetry)
	}
	units, err := c.store.Units(ctx)
	if err != nil {
		return nil, err
	}
	items, err := c.store.Rectifications(ctx, code, "")
	if err != nil {
		return nil, err
	}
	loss, days := r.Assessment.RectifyRule()
	l := &report.Ledger{Round: r, Units: pinggu.RoundUnits(units, r.Units), Items: items, Loss: loss, Days: days, Org: c.Org,
		Today: pinggu.Date(c.now().In(r.Location()).Format(pinggu.DateLayout))}
	b, _ := json.Marshal(struct {
		Today pinggu.Date
		Items []pinggu.Rectification
	}{l.Today, items})
	sum := sha256.Sum256(b)
	fp := hex.EncodeToString(sum[:])
	if rep := c.existing(ctx, code, pinggu.ReportLedger, false, fp); rep != nil {
		return rep, nil
	}
	rep := newReport(r, pinggu.ReportLedger, false, fp, len(items), c.now().UTC().Truncate(time.Millisecond), "整改台账", ".xlsx", xlsxType)
	return rep, c.save(ctx, rep, func(w io.Writer) error { return report.WriteLedger(w, l) })
}
