package jobs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/jobs"
	"pinggu/report"
	"pinggu/scoring"
	"pinggu/store"
	"pinggu/store/storetest"
)

// reproRound stores three units, a questionnaire of three scale items in
// two dimensions and a sex question, a closed round post-stratified on
// sex, 40–52 responses per unit (in the given order), some 不清楚, some
// flagged, and three exclusions.
func reproRound(t *testing.T, st *store.Store, reverse bool) {
	reproRoundWeighted(t, st, reverse, true)
}

func reproRoundWeighted(t *testing.T, st *store.Store, reverse, weighted bool) {
	t.Helper()
	ctx := pinggu.WithActor(context.Background(), "admin")
	addUnits(t, st, ctx, "a", "b", "c")
	opts := fivePoint()
	if err := st.CreateQuestionnaire(ctx, &pinggu.Questionnaire{Code: "q", Title: "t", Questions: []pinggu.Question{
		{Code: "Q1", Type: pinggu.Scale, Text: "窗口服务", Dimension: "zwfw", Options: opts},
		{Code: "Q2", Type: pinggu.Scale, Text: "网上办事", Dimension: "zwfw", Options: opts},
		{Code: "Q3", Type: pinggu.Scale, Text: "执法规范", Dimension: "zfjd", Options: opts},
		{Code: "D1", Type: pinggu.Single, Text: "性别", Options: []pinggu.Option{{Code: "1", Label: "男"}, {Code: "2", Label: "女"}}},
	}}); err != nil {
		t.Fatal(err)
	}
	opens := time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
	sc := pinggu.Scoring{MinSample: 20, Bootstrap: pinggu.Bootstrap{Replicates: 200, Seed: 11}}
	if weighted {
		sc.Weighting = &pinggu.Weighting{Cells: []string{"D1"}, Shares: map[string]float64{"1": 0.49, "2": 0.51}}
	}
	if err := st.CreateRound(ctx, &pinggu.Round{Code: "rr", Title: "复算测评", Kind: pinggu.Satisfaction, Questionnaire: "q",
		QuestionnaireVersion: 1, Units: []string{"a", "b", "c"}, OpensAt: opens, ClosesAt: opens.Add(30 * 24 * time.Hour),
		Timezone: pinggu.DefaultTimezone, Status: pinggu.StatusClosed, CreatedAt: opens, Scoring: sc}); err != nil {
		t.Fatal(err)
	}
	var rs []*pinggu.Response
	for ui, unit := range []string{"a", "b", "c"} {
		for i := 0; i < 40+6*ui; i++ {
			pick := func(k int) string { return strconv.Itoa(1 + (i*k+ui*3+i/7)%5) }
			a := pinggu.Answers{"Q1": {pick(3)}, "Q2": {pick(7)}, "Q3": {pick(2 + ui)}, "D1": {strconv.Itoa(1 + (i+ui)%3%2)}}
			if i%11 == 0 {
				a["Q2"] = []string{"9"}
			}
			if i%17 == 5 {
				delete(a, "D1") // cannot be weighted
			}
			r := &pinggu.Response{ID: fmt.Sprintf("%s-%03d", unit, i), Round: "rr", Unit: unit, Questionnaire: "q", QuestionnaireVersion: 1,
				Answers: a, Channel: pinggu.ChannelWeb, SubmittedAt: opens.Add(time.Duration(ui*100+i) * time.Minute), DurationMs: 60000}
			if i%13 == 0 {
				r.Flags = []string{pinggu.FlagTooFast}
			}
			rs = append(rs, r)
		}
	}
	if reverse {
		for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
			rs[i], rs[j] = rs[j], rs[i]
		}
	}
	for _, r := range rs {
		if _, err := st.InsertResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Exclude(ctx, []pinggu.Exclusion{
		{Response: "a-000", Round: "rr", Unit: "a", Reason: "作答过快", By: "admin", At: opens},
		{Response: "a-013", Round: "rr", Unit: "a", Reason: "作答过快", By: "admin", At: opens},
		{Response: "c-026", Round: "rr", Unit: "c", Reason: "重复作答", By: "admin", At: opens},
	}); err != nil {
		t.Fatal(err)
	}
}

func reportBytes(t *testing.T, st *store.Store, id string) []byte {
	t.Helper()
	_, rc, err := st.OpenReport(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNumbersRecomputeFromThePublishedFiles: every figure of 总表 and of
// each unit's dimensions is recomputed from the raw export and the method
// file alone, by formulas written out here, and matches; the fingerprint
// is the SHA-256 of the method file and the rows digest recomputes from
// the export. Post-stratified (the export's second pass) and unweighted
// (written in the tally pass).
func TestNumbersRecomputeFromThePublishedFiles(t *testing.T) {
	t.Parallel()
	for _, weighted := range []bool{true, false} {
		t.Run(fmt.Sprint("weighted=", weighted), func(t *testing.T) { recomputeFromFiles(t, weighted) })
	}
}

func recomputeFromFiles(t *testing.T, weighted bool) {
	st := storetest.New(t)
	reproRoundWeighted(t, st, false, weighted)
	ctx := context.Background()
	c := jobs.NewCompiler(st, time.Now)
	sc, err := c.Compile(ctx, "rr", true, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	exports, err := c.Export(ctx, "rr", nil)
	if err != nil {
		t.Fatal(err)
	}
	reps, _ := st.Reports(ctx, "rr")
	var methodID, csvID string
	for _, r := range reps {
		if r.Fingerprint != sc.Fingerprint {
			t.Errorf("%s has fingerprint %s, the scorecard %s", r.Kind, r.Fingerprint, sc.Fingerprint)
		}
		switch r.Kind {
		case pinggu.ReportMethod:
			methodID = r.ID
		case pinggu.ReportRawCSV:
			csvID = r.ID
		}
	}
	if len(exports) != 2 || methodID == "" || csvID == "" {
		t.Fatalf("reports %+v", reps)
	}

	// From here on only the three files.
	methodFile := reportBytes(t, st, methodID)
	csvFile := reportBytes(t, st, csvID)
	wb, err := excelize.OpenReader(bytes.NewReader(reportBytes(t, st, sc.ID)))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	var m report.Method
	if err := json.Unmarshal(methodFile, &m); err != nil || m.Format != report.MethodFormat {
		t.Fatalf("method file: %v %q", err, m.Format)
	}
	if fp := fmt.Sprintf("%x", sha256.Sum256(methodFile)); fp != sc.Fingerprint {
		t.Fatalf("sha256(method file) = %s, fingerprint %s", fp, sc.Fingerprint)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvFile, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head, rows := rows[0], rows[1:]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	if len(rows) != m.Responses || len(m.Excluded) != 3 {
		t.Fatalf("%d rows, method says %d; %d excluded", len(rows), m.Responses, len(m.Excluded))
	}
	// The rows digest: Σ sha256(first digestColumns fields joined by U+001F) mod 2^256.
	sum, mod := new(big.Int), new(big.Int).Lsh(big.NewInt(1), 256)
	for _, r := range rows {
		h := sha256.Sum256([]byte(strings.Join(r[:m.DigestColumns], "\x1f")))
		sum.Add(sum, new(big.Int).SetBytes(h[:])).Mod(sum, mod)
	}
	if got := fmt.Sprintf("%064x", sum); got != m.RowsDigest {
		t.Fatalf("rows digest %s, method file %s", got, m.RowsDigest)
	}

	// Each row's scores and weight follow from its answers and the method file.
	perCell := map[string]float64{}
	for _, r := range rows {
		if r[col["排除"]] != "是" && r[col["加权分层"]] != "" {
			perCell[r[col["单位编码"]]+"|"+r[col["加权分层"]]]++
		}
	}
	for _, r := range rows {
		for _, q := range []string{"Q1", "Q2", "Q3"} {
			want := ""
			if y, ok := m.Scores[q][r[col[q]]]; ok {
				want = strconv.FormatFloat(y, 'g', -1, 64)
			}
			if r[col[q+"_得分"]] != want {
				t.Fatalf("%s %s_得分 = %q, want %q", r[0], q, r[col[q+"_得分"]], want)
			}
		}
		w := 0.0
		switch cellKey := r[col["加权分层"]]; {
		case r[col["排除"]] == "是":
		case m.Weighting == nil:
			w = 1
		case cellKey != "":
			w = m.Weighting.Shares[cellKey] / perCell[r[col["单位编码"]]+"|"+cellKey]
		}
		if got := parse(t, r[col["权重"]]); math.Abs(got-w) > 1e-12 {
			t.Fatalf("%s weight %v, want %v", r[0], got, w)
		}
	}

	// Every unit's published figures, from the rows.
	level := m.ConfidenceLevel
	type est struct{ n, mean, low, high, rate, rateLow, rateHigh float64 }
	estimate := func(unit, column string) est {
		var n, sw, sw2, swy, swy2, sat float64
		for _, r := range rows {
			if r[col["单位编码"]] != unit || r[col[column]] == "" {
				continue
			}
			w, y := parse(t, r[col["权重"]]), parse(t, r[col[column]])
			if w == 0 {
				continue
			}
			n++
			sw, sw2, swy, swy2 = sw+w, sw2+w*w, swy+w*y, swy2+w*y*y
			if y >= m.SatisfiedThreshold {
				sat += w
			}
		}
		e := est{n: n, mean: swy / sw, rate: sat / sw}
		neff := sw * sw / sw2
		v := (swy2/sw - e.mean*e.mean) * neff / (neff - 1)
		tq := scoring.TQuantile(1-(1-level)/2, neff-1)
		e.low, e.high = e.mean-tq*math.Sqrt(v/neff), e.mean+tq*math.Sqrt(v/neff)
		lo, hi := m.ScaleRange[0], m.ScaleRange[1]
		if e.low < lo || e.high > hi { // the bounded interval
			span := hi - lo
			mm, vm := (e.mean-lo)/span, v/(span*span)
			e.low, e.high = wilson(mm, neff*mm*(1-mm)/vm, tq)
			e.low, e.high = lo+e.low*span, lo+e.high*span
		}
		e.rateLow, e.rateHigh = wilson(e.rate, neff, m.Z)
		return e
	}
	means := map[string]float64{}
	for i, u := range m.Units {
		row := findRowIn(t, wb, "总表", u.Name)
		e := estimate(u.Code, "综合得分")
		means[u.Code] = math.Round(e.mean*100) / 100
		for ref, want := range map[string]float64{"F": e.n, "G": e.mean, "H": e.low, "I": e.high, "K": e.rate, "L": e.rateLow, "M": e.rateHigh} {
			if got := parse(t, cellValue(t, wb, "总表", fmt.Sprintf("%s%d", ref, row))); math.Abs(got-want) > 1e-9 {
				t.Errorf("%s 总表!%s%d = %v, recomputed %v", u.Name, ref, row, got, want)
			}
		}
		for d := range m.Dimensions {
			drow := findRowIn(t, wb, u.Name, d+"（")
			de := estimate(u.Code, "维度得分_"+d)
			if got := parse(t, cellValue(t, wb, u.Name, fmt.Sprintf("E%d", drow))); math.Abs(got-de.mean) > 1e-9 {
				t.Errorf("%s dimension %s = %v, recomputed %v", u.Name, d, got, de.mean)
			}
			if got := parse(t, cellValue(t, wb, u.Name, fmt.Sprintf("D%d", drow))); got != de.n {
				t.Errorf("%s dimension %s n = %v, recomputed %v (people, not answers)", u.Name, d, got, de.n)
			}
		}
		_ = i
	}
	// Ranks follow the rounded means.
	codes := []string{"a", "b", "c"}
	sort.SliceStable(codes, func(i, j int) bool { return means[codes[i]] > means[codes[j]] })
	for k, code := range codes {
		name := map[string]string{"a": "崇川区", "b": "海门区", "c": "如东县"}[code]
		if got := cellValue(t, wb, "总表", fmt.Sprintf("D%d", findRowIn(t, wb, "总表", name))); got != strconv.Itoa(k+1) {
			t.Errorf("%s rank %s, recomputed %d", name, got, k+1)
		}
	}
}

// TestSameInputsSameBytes: the same inputs stored in another order in
// another database, compiled by another process at another time, give the
// same scorecard bytes and so the same report id.
func TestSameInputsSameBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var sums, ids []string
	for i, reverse := range []bool{false, true} {
		st := storetest.New(t)
		reproRound(t, st, reverse)
		clock := time.Date(2024, 11, 1+i, 8, 0, 0, 0, time.UTC)
		rep, err := jobs.NewCompiler(st, func() time.Time { return clock }).Compile(ctx, "rr", true, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(reportBytes(t, st, rep.ID))
		sums, ids = append(sums, hex.EncodeToString(sum[:])), append(ids, rep.ID)
		if rep.SHA256 != sums[i] {
			t.Fatalf("stored hash %s, content %s", rep.SHA256, sums[i])
		}
	}
	if sums[0] != sums[1] || ids[0] != ids[1] {
		t.Fatalf("same inputs, different files: %v %v", sums, ids)
	}
}

func parse(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// wilson is written out again here: the recomputation must not lean on
// the code it checks.
func wilson(p, n, z float64) (float64, float64) {
	z2 := z * z
	den := 1 + z2/n
	center := (p + z2/(2*n)) / den
	half := z / den * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	return math.Max(0, center-half), math.Min(1, center+half)
}

func findRowIn(t *testing.T, f *excelize.File, sheet, prefix string) int {
	t.Helper()
	rows, _ := f.GetRows(sheet)
	for i, r := range rows {
		for _, c := range r[:min(2, len(r))] {
			if strings.HasPrefix(c, prefix) {
				return i + 1
			}
		}
	}
	t.Fatalf("no row %q in %s", prefix, sheet)
	return 0
}
