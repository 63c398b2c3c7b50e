package scoring_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"pinggu"
	"pinggu/scoring"
)

// TestRoundInDecimal: the published figure decides, not the float behind it.
func TestRoundInDecimal(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		x      float64
		places int
		want   float64
	}{
		{90.2 - 0.1 - 0.1, 2, 90}, // 89.99999999999999 in float64
		{1.005, 2, 1.01},          // 1.00499999999999989… in float64
		{-2.675, 2, -2.68},
		{0.9995, 3, 1},
		{99.994999, 2, 99.99},
		{0, 2, 0},
	} {
		if got := scoring.Round(c.x, c.places); got != c.want {
			t.Errorf("Round(%v, %d) = %v, want %v", c.x, c.places, got, c.want)
		}
	}
}

// TestBandEdge: 90.2 − 0.1 − 0.1 is shown as 90.00, so it is 优秀 and ties
// with the unit at 90.00 (the float sum would have been 良好, rank 2).
func TestBandEdge(t *testing.T) {
	t.Parallel()
	sys := &pinggu.IndicatorSystem{Code: "s", Version: 1, Indicators: []pinggu.Indicator{
		{Code: "A", Level: 1, Name: "A", Points: 100, Rubric: pinggu.RubricManual}}}
	a := &pinggu.AssessmentSettings{IndicatorSystem: "s", DeductionCap: 10}
	unit := func(code string) pinggu.Unit { return pinggu.Unit{Code: code, PeerGroup: "g"} }
	edge := scoring.ScoreUnit(sys, a, unit("x"), map[string]pinggu.InputValue{"A": {Score: f(90.2)}}, nil,
		[]pinggu.Adjustment{{Kind: pinggu.DeductionEvent, Points: 0.1}, {Kind: pinggu.DeductionEvent, Points: 0.1}})
	level := scoring.ScoreUnit(sys, a, unit("y"), map[string]pinggu.InputValue{"A": {Score: f(90)}}, nil, nil)
	if edge.Total != 90 || edge.Grade != "优秀" {
		t.Fatalf("edge unit: total %v grade %s, want 90 优秀", edge.Total, edge.Grade)
	}
	us := []scoring.UnitAssessment{edge, level}
	scoring.RankAssessments(us, pinggu.VetoRankLast)
	if us[0].Rank != 1 || us[1].Rank != 1 {
		t.Errorf("ranks %d and %d, want a tie at 1", us[0].Rank, us[1].Rank)
	}
}

// TestVetoRankRules: a vetoed unit with the highest total (but graded 较差)
// is placed by the round's rule.
func TestVetoRankRules(t *testing.T) {
	t.Parallel()
	make := func() []scoring.UnitAssessment {
		return []scoring.UnitAssessment{
			{Unit: "v", PeerGroup: "g", Total: 95, Grade: "较差", Vetoes: []string{"重大事故"}},
			{Unit: "a", PeerGroup: "g", Total: 85, Grade: "良好"},
			{Unit: "b", PeerGroup: "g", Total: 75, Grade: "一般"},
			{Unit: "w", PeerGroup: "g", Total: 60, Grade: "较差", Vetoes: []string{"重大事故"}},
			{Unit: "gap", PeerGroup: "g", Total: 99, Missing: []string{"A1"}},
		}
	}
	for rule, want := range map[string][]int{
		pinggu.VetoRankLast:     {3, 1, 2, 4, 0},
		pinggu.VetoRankUnranked: {0, 1, 2, 0, 0},
		pinggu.VetoRankKeep:     {1, 2, 3, 4, 0},
	} {
		us := make()
		scoring.RankAssessments(us, rule)
		for i, w := range want {
			if us[i].Rank != w {
				t.Errorf("%s: %s rank %d, want %d", rule, us[i].Unit, us[i].Rank, w)
			}
		}
	}
}

func TestTQuantileAgainstTheTable(t *testing.T) {
	t.Parallel()
	// Two-sided 95% and 99% values of Student's t, as printed in tables.
	for _, c := range []struct{ p, df, want float64 }{
		{0.975, 1, 12.706}, {0.975, 3, 3.182}, {0.975, 9, 2.262}, {0.975, 30, 2.042}, {0.995, 5, 4.032}, {0.975, 1e9, 1.960},
	} {
		if got := scoring.TQuantile(c.p, c.df); math.Abs(got-c.want) > 0.0005 {
			t.Errorf("t(%v, %v) = %.5f, table %v", c.p, c.df, got, c.want)
		}
	}
	if p := scoring.TCDF(2.262157, 9); math.Abs(p-0.975) > 1e-6 {
		t.Errorf("TCDF(2.262157, 9) = %v", p)
	}
	if p := scoring.TCDF(-2.262157, 9); math.Abs(p-0.025) > 1e-6 {
		t.Errorf("TCDF(-2.262157, 9) = %v", p)
	}
}

// oneUnit tallies respondents answering Q1 (and Q2 when given) in unit u.
func oneUnit(s pinggu.Scoring, answers ...[]string) scoring.UnitResult {
	tally := scoring.NewTally(questionnaire(), s)
	for i, a := range answers {
		kv := []string{}
		for k := 0; k < len(a); k += 2 {
			kv = append(kv, a[k], a[k+1])
		}
		tally.Add(resp(fmt.Sprint("r", i), "u", kv...))
	}
	return tally.Results([]string{"u"})[0]
}

func q1(codes ...string) [][]string {
	out := make([][]string, len(codes))
	for i, c := range codes {
		out[i] = []string{"Q1", c}
	}
	return out
}

// TestTIntervalAtTen: scores 100, 80×5, 60×3, 100 … mean 78, s² = 1960/9;
// the interval is 78 ± t(0.975, 9)·s/√10 with the table's 2.262.
func TestTIntervalAtTen(t *testing.T) {
	t.Parallel()
	u := oneUnit(pinggu.Scoring{MinSample: 1}, q1("5", "4", "4", "4", "3", "3", "3", "4", "5", "4")...)
	s := u.Questions[0].Stat
	half := 2.262157 * math.Sqrt(1960.0/9/10)
	near(t, "mean", s.Mean, 78)
	near(t, "low", s.MeanLow, 78-half)
	near(t, "high", s.MeanHigh, 78+half)
	near(t, "margin", s.Margin(), half)
	if s.Bounded || s.Insufficient {
		t.Errorf("bounded %v insufficient %v", s.Bounded, s.Insufficient)
	}
}

// TestBoundedIntervals: one respondent, and ten who all agree, get an
// interval inside the scale with a width.
func TestBoundedIntervals(t *testing.T) {
	t.Parallel()
	one := oneUnit(pinggu.Scoring{MinSample: 1, MinEffective: 1}, q1("4")...).Overall
	if !one.Bounded || one.MeanLow < 20 || one.MeanHigh > 100 || !(one.MeanLow < 80 && 80 < one.MeanHigh) {
		t.Errorf("n = 1: %+v", one)
	}
	// t(0.975, 1) = 12.706 on one case: nearly the whole scale.
	if one.MeanHigh-one.MeanLow < 60 {
		t.Errorf("n = 1 interval [%v, %v] is narrower than one answer allows", one.MeanLow, one.MeanHigh)
	}
	all := oneUnit(pinggu.Scoring{MinSample: 1}, q1("5", "5", "5", "5", "5", "5", "5", "5", "5", "5")...).Overall
	// m = 1 on [20, 100] with n* = n_eff = 10: Wilson's lower limit is
	// n/(n + t²) = 10/(10 + 2.262157²) = 0.661491, i.e. 20 + 80·0.661491.
	near(t, "all agree low", all.MeanLow, 20+80*10/(10+2.262157*2.262157))
	near(t, "all agree high", all.MeanHigh, 100)
	if !all.Bounded || all.SD != 0 {
		t.Errorf("all agree: %+v", all)
	}
}

// TestMinimumSample: 29 respondents are 样本不足 by default, 30 are not;
// respondents without a weight (a cell without a share) make no estimate.
func TestMinimumSample(t *testing.T) {
	t.Parallel()
	codes := make([]string, 30)
	for i := range codes {
		codes[i] = fmt.Sprint(1 + i%5)
	}
	if u := oneUnit(pinggu.Scoring{}, q1(codes[:29]...)...); !u.Overall.Insufficient || u.Overall.NScored != 29 {
		t.Errorf("29 respondents: %+v", u.Overall)
	}
	if u := oneUnit(pinggu.Scoring{}, q1(codes...)...); u.Overall.Insufficient {
		t.Errorf("30 respondents: %+v", u.Overall)
	}
	w := pinggu.Scoring{Weighting: &pinggu.Weighting{Cells: []string{"D1"}, Shares: map[string]float64{"1": 1}}}
	var answers [][]string
	for i := 0; i < 40; i++ {
		answers = append(answers, []string{"Q1", "5", "D1", "2"}) // D1 = 2 has no share
	}
	u := oneUnit(w, answers...)
	if u.Respondents != 40 || u.Unweighted != 40 || u.Overall.NScored != 0 || !u.Overall.Insufficient || u.Overall.Mean != 0 {
		t.Errorf("no weighted respondent: respondents %d unweighted %d overall %+v", u.Respondents, u.Unweighted, u.Overall)
	}
	if len(u.EmptyCells) != 1 || u.EmptyCells[0] != "1" {
		t.Errorf("empty cells %v, want the share without respondents", u.EmptyCells)
	}
}

// TestDimensionsCountPeople: 80 respondents answer both items of a
// dimension; its n and n_eff are 80, and its score is the mean of their
// per-respondent means.
func TestDimensionsCountPeople(t *testing.T) {
	t.Parallel()
	q := &pinggu.Questionnaire{Code: "q", Version: 1, Questions: []pinggu.Question{scale("d", "Q1"), scale("d", "Q2")}}
	tally := scoring.NewTally(q, pinggu.Scoring{})
	for i := 0; i < 80; i++ {
		a, b := "5", "3"
		if i%2 == 1 {
			a, b = "4", "4"
		}
		tally.Add(resp(fmt.Sprint("r", i), "u", "Q1", a, "Q2", b))
	}
	d := tally.Results([]string{"u"})[0].Dimensions[0].Stat
	if d.NScored != 80 || math.Abs(d.NEff-80) > 1e-9 {
		t.Fatalf("dimension n %d n_eff %v, want 80 people", d.NScored, d.NEff)
	}
	// Every respondent's dimension score is 80: no spread, bounded interval.
	near(t, "dimension mean", d.Mean, 80)
	if d.SD != 0 || !d.Bounded {
		t.Errorf("dimension %+v", d)
	}
}

// TestOverallDefinitions: the overall score follows the round's definition.
func TestOverallDefinitions(t *testing.T) {
	t.Parallel()
	// Q1 (dimension a) 100 and Q2 (dimension b) 20, one respondent.
	answers := [][]string{{"Q1", "5", "Q2", "1"}}
	for _, c := range []struct {
		o    *pinggu.OverallScore
		want float64
	}{
		{nil, 60},
		{&pinggu.OverallScore{Method: pinggu.OverallDimensions, Weights: map[string]float64{"a": 3}}, 80},
		{&pinggu.OverallScore{Method: pinggu.OverallQuestion, Question: "Q2"}, 20},
	} {
		u := oneUnit(pinggu.Scoring{MinSample: 1, Overall: c.o}, answers...)
		near(t, fmt.Sprint("overall ", c.o), u.Overall.Mean, c.want)
	}
}

func TestHolm(t *testing.T) {
	t.Parallel()
	// Sorted 0.005·4, 0.01·3, 0.03·2, 0.04·1 = 0.02, 0.03, 0.06, 0.04 → running max 0.06.
	got := scoring.Holm([]float64{0.01, 0.04, 0.03, 0.005})
	for i, want := range []float64{0.03, 0.06, 0.06, 0.02} {
		near(t, fmt.Sprint("holm ", i), got[i], want)
	}
	if got := scoring.Holm([]float64{0.5, 0.6}); got[0] != 1 || got[1] != 1 {
		t.Errorf("capped at 1: %v", got)
	}
}

// TestRankGroup: three units of 40; a and b are far apart, b and c close.
// Tests are Welch's with Holm; the bootstrap is seeded.
func TestRankGroup(t *testing.T) {
	t.Parallel()
	tally := scoring.NewTally(questionnaire(), pinggu.Scoring{})
	add := func(unit string, codes ...string) {
		for i := 0; i < 40; i++ {
			tally.Add(resp(fmt.Sprint(unit, i), unit, "Q1", codes[i%len(codes)]))
		}
	}
	add("a", "5", "5", "4")               // mean 93.33
	add("b", "4", "3")                    // mean 70
	add("c", "4", "3", "3")               // mean 66.67
	tally.Add(resp("d0", "d", "Q1", "5")) // one respondent: not ranked
	rs := tally.Results([]string{"a", "b", "c", "d"})
	boot := pinggu.Bootstrap{Replicates: 400, Seed: 7}
	pl, tests := scoring.RankGroup(rs, boot, 0.95)
	if pl[0].Rank != 1 || pl[1].Rank != 2 || pl[2].Rank != 3 || pl[3].Rank != 0 {
		t.Fatalf("ranks %+v", pl)
	}
	if len(tests) != 3 {
		t.Fatalf("%d tests, want 3 pairs of the ranked units", len(tests))
	}
	// Welch by hand for a − b: SE² = s²_a/40 + s²_b/40.
	sa, sb := rs[0].Overall, rs[1].Overall
	se := math.Sqrt(sa.SD*sa.SD/40 + sb.SD*sb.SD/40)
	var ab, bc scoring.PairTest
	for _, x := range tests {
		switch x.A + x.B {
		case "ab":
			ab = x
		case "bc":
			bc = x
		}
	}
	near(t, "a−b", ab.Diff, sa.Mean-sb.Mean)
	near(t, "a−b SE", ab.SE, se)
	if !ab.Significant || bc.Significant {
		t.Errorf("a−b significant %v (p %v), b−c significant %v (p %v)", ab.Significant, ab.PHolm, bc.Significant, bc.PHolm)
	}
	if len(pl[0].Below) != 2 || len(pl[1].Above) != 1 || len(pl[1].Below) != 0 {
		t.Errorf("above/below: %+v", pl)
	}
	if pl[0].RankLow != 1 || pl[0].RankHigh != 1 || pl[0].PFirst != 1 {
		t.Errorf("a's rank interval %d–%d P(1) %v", pl[0].RankLow, pl[0].RankHigh, pl[0].PFirst)
	}
	if pl[1].RankLow != 2 || pl[1].RankHigh != 3 || pl[2].RankLow != 2 || pl[2].RankHigh != 3 {
		t.Errorf("b %d–%d, c %d–%d: both should span 2–3", pl[1].RankLow, pl[1].RankHigh, pl[2].RankLow, pl[2].RankHigh)
	}
	again, _ := scoring.RankGroup(rs, boot, 0.95)
	for i := range pl {
		if fmt.Sprint(again[i]) != fmt.Sprint(pl[i]) {
			t.Fatal("the same seed gave another bootstrap")
		}
	}
}

// TestRakingClosedForm: raking a 2×2 table keeps its odds ratio, so the
// fit has a closed form. Counts 30, 10 / 20, 40 (odds ratio 6) raked to
// rows 0.5/0.5 and columns 0.4/0.6 give shares 0.3, 0.2 / 0.1, 0.4, i.e.
// weights 0.01, 0.02, 0.005, 0.01 per respondent.
func TestRakingClosedForm(t *testing.T) {
	t.Parallel()
	counts := map[string]float64{"1|1": 30, "1|2": 10, "2|1": 20, "2|2": 40}
	margins := map[string]map[string]float64{"A": {"1": 0.5, "2": 0.5}, "B": {"1": 0.4, "2": 0.6}}
	w, trimmed, empty := scoring.Rake(counts, []string{"A", "B"}, margins, pinggu.Trim{Min: 0.3, Max: 3})
	for k, want := range map[string]float64{"1|1": 0.01, "1|2": 0.02, "2|1": 0.005, "2|2": 0.01} {
		if math.Abs(w[k]-want) > 1e-9 {
			t.Errorf("weight %s = %v, want %v", k, w[k], want)
		}
	}
	if trimmed || len(empty) != 0 {
		t.Errorf("trimmed %v empty %v", trimmed, empty)
	}
	// The same table trimmed at 1.5 × the mean weight (0.01).
	w, trimmed, _ = scoring.Rake(counts, []string{"A", "B"}, margins, pinggu.Trim{Min: 0.3, Max: 1.5})
	if !trimmed || w["1|2"] > 0.015*(1+1e-9) {
		t.Errorf("trimmed %v, weight of 1|2 %v > 0.015", trimmed, w["1|2"])
	}
}

// TestRakingWorkedExample: a survey table 7, 9 / 12, 7 raked to census
// margins rows 5, 15 and columns 10, 10 (of 30). Raking keeps the odds
// ratio 49/108, so x₁₁ solves 59x² + 1275x − 2450 = 0: 1.775666.
func TestRakingWorkedExample(t *testing.T) {
	t.Parallel()
	counts := map[string]float64{"1|1": 7, "1|2": 9, "2|1": 12, "2|2": 7}
	margins := map[string]map[string]float64{"R": {"1": 5.0 / 20, "2": 15.0 / 20}, "C": {"1": 0.5, "2": 0.5}}
	w, _, _ := scoring.Rake(counts, []string{"R", "C"}, margins, pinggu.Trim{Min: 0.01, Max: 100})
	x11 := (-1275 + math.Sqrt(2203825)) / 118
	for k, want := range map[string]float64{"1|1": x11, "1|2": 5 - x11, "2|1": 10 - x11, "2|2": 5 + x11} {
		if got := w[k] * counts[k] * 20; math.Abs(got-want) > 1e-6 {
			t.Errorf("cell %s = %.6f, want %.6f", k, got, want)
		}
	}
}

// TestRakedEstimate: in a unit, raked weights enter the estimate and the
// design effect; a margin category without respondents is reported.
func TestRakedEstimate(t *testing.T) {
	t.Parallel()
	q := questionnaire()
	q.Questions = append(q.Questions, pinggu.Question{Code: "D2", Type: pinggu.Single, Text: "d2",
		Options: []pinggu.Option{{Code: "1", Label: "青年"}, {Code: "2", Label: "老年"}, {Code: "3", Label: "其他"}}})
	s := pinggu.Scoring{MinSample: 1, Weighting: &pinggu.Weighting{Method: pinggu.WeightRaking, Cells: []string{"D1", "D2"},
		Margins: map[string]map[string]float64{"D1": {"1": 0.5, "2": 0.5}, "D2": {"1": 0.4, "2": 0.5, "3": 0.1}}}}
	tally := scoring.NewTally(q, s)
	n := 0
	for cell, c := range map[[2]string]struct {
		count int
		q1    string
	}{{"1", "1"}: {30, "5"}, {"1", "2"}: {10, "4"}, {"2", "1"}: {20, "3"}, {"2", "2"}: {40, "2"}} {
		for i := 0; i < c.count; i++ {
			tally.Add(resp(fmt.Sprint("r", n), "u", "D1", cell[0], "D2", cell[1], "Q1", c.q1))
			n++
		}
	}
	u := tally.Results([]string{"u"})[0]
	// D2 = 3 has no respondent: its 0.1 is dropped and 0.4/0.5 become 4/9
	// and 5/9, which the weighted shares then meet.
	share := func(pred func(d1, d2 string) bool) float64 {
		sum := 0.0
		for k, w := range u.Weights {
			var d1, d2 string
			fmt.Sscanf(k[:1]+" "+k[2:], "%s %s", &d1, &d2)
			if pred(d1, d2) {
				sum += w * map[string]float64{"1|1": 30, "1|2": 10, "2|1": 20, "2|2": 40}[k]
			}
		}
		return sum
	}
	near(t, "D1=1 share", share(func(d1, _ string) bool { return d1 == "1" }), 0.5)
	near(t, "D2=1 share", share(func(_, d2 string) bool { return d2 == "1" }), 4.0/9)
	if len(u.EmptyCells) != 1 || u.EmptyCells[0] != "D2=3" {
		t.Errorf("empty cells %v", u.EmptyCells)
	}
	if u.DesignEffect <= 1 {
		t.Errorf("design effect %v: unequal weights must cost precision", u.DesignEffect)
	}
}

// TestCronbachAlpha: five respondents, three items; α = 45/49 by hand,
// item–rest correlations 0.9707, 0.7702, 0.8092.
func TestCronbachAlpha(t *testing.T) {
	t.Parallel()
	q := &pinggu.Questionnaire{Code: "q", Version: 1, Questions: []pinggu.Question{scale("d", "Q1"), scale("d", "Q2"), scale("d", "Q3")}}
	tally := scoring.NewTally(q, pinggu.Scoring{})
	for i, row := range [][3]string{{"5", "4", "5"}, {"4", "4", "3"}, {"3", "2", "3"}, {"2", "3", "2"}, {"1", "1", "2"}} {
		tally.Add(resp(fmt.Sprint("r", i), "u", "Q1", row[0], "Q2", row[1], "Q3", row[2]))
	}
	tally.Add(resp("partial", "u", "Q1", "5", "Q2", "9")) // 不清楚: not a complete case
	rel := tally.Reliabilities()
	if len(rel) != 2 || rel[0].N != 5 || rel[1].Dimension != scoring.AllItems || rel[1].Alpha != rel[0].Alpha {
		t.Fatalf("reliability %+v (the dimension, then all items: here the same three)", rel)
	}
	near(t, "alpha", rel[0].Alpha, 45.0/49)
	for i, want := range []float64{0.970725, 0.770154, 0.809174} {
		near(t, fmt.Sprint("item-rest ", i), rel[0].ItemRest[i], want)
	}
}

// TestImportancePerformance: a dimension that moves with the rest is more
// important; quadrants split at the dimensions' averages.
func TestImportancePerformance(t *testing.T) {
	t.Parallel()
	q := &pinggu.Questionnaire{Code: "q", Version: 1, Questions: []pinggu.Question{scale("a", "Q1"), scale("b", "Q2"), scale("c", "Q3")}}
	tally := scoring.NewTally(q, pinggu.Scoring{})
	for i, row := range [][3]string{{"5", "5", "3"}, {"4", "4", "3"}, {"3", "3", "4"}, {"2", "2", "3"}, {"5", "4", "3"}} {
		tally.Add(resp(fmt.Sprint("r", i), "u", "Q1", row[0], "Q2", row[1], "Q3", row[2]))
	}
	im := tally.Importances()
	if len(im) != 3 {
		t.Fatalf("importances %+v", im)
	}
	// a: scores 100, 80, 60, 40, 100, mean 76; its rest (mean of Q2, Q3): 80, 70, 70, 50, 70.
	near(t, "a mean", im[0].Mean, 76)
	if im[0].Correlation <= im[2].Correlation {
		t.Errorf("a (r %v) should be more important than c (r %v)", im[0].Correlation, im[2].Correlation)
	}
	for _, x := range im {
		if x.Quadrant == "" {
			t.Errorf("%s has no quadrant", x.Dimension)
		}
	}
}

// TestExpectedProgress: two of three tasks overdue; completion 53% passes
// "C ≥ max(50%, τ)" while the expected progress E is 83%, and both the gap
// and the overdue binding tasks are reported; the "expected" rule fails it.
func TestExpectedProgress(t *testing.T) {
	t.Parallel()
	plan := &pinggu.Plan{Code: "p", Start: "2021-01-01", End: "2025-01-01"}
	tasks := []pinggu.PlanTask{
		{No: "1", Due: "2022-01-01", Class: pinggu.Binding},
		{No: "2", Due: "2022-01-01", Class: pinggu.Binding},
		{No: "3", Due: "2025-01-01"},
	}
	asOf := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	latest := map[string]*pinggu.ProgressReport{"1": {Progress: 60}, "2": {Progress: 50}, "3": {Progress: 50}}
	r := scoring.EvaluatePlan(plan, tasks, latest, asOf, 0.1, (&pinggu.MidtermSettings{}).PassOrDefault())
	tau := scoring.Elapsed(plan.Start.Time(), plan.End.Time(), asOf)
	pi3 := tau // task 3 runs over the whole plan
	near(t, "C", r.Overall.Completion, (0.6+0.5+0.5)/3)
	near(t, "E", r.Overall.Expected, (1+1+pi3)/3)
	near(t, "gap", r.Overall.Gap, (0.6+0.5+0.5)/3-(1+1+pi3)/3)
	if !r.Pass || len(r.Overall.OverdueBinding) != 2 {
		t.Errorf("pass %v overdue binding %d", r.Pass, len(r.Overall.OverdueBinding))
	}
	strict := scoring.EvaluatePlan(plan, tasks, latest, asOf, 0.1, pinggu.PassRule{Minimum: 0.5, Against: pinggu.PassAgainstExpected})
	if strict.Pass || math.Abs(strict.Required-r.Overall.Expected) > 1e-12 {
		t.Errorf("against E: pass %v required %v", strict.Pass, strict.Required)
	}
	binding := scoring.EvaluatePlan(plan, tasks, latest, asOf, 0.1, pinggu.PassRule{Minimum: 0.5, Against: pinggu.PassAgainstElapsed, NoOverdueBinding: true})
	if binding.Pass {
		t.Error("overdue binding tasks must fail the strict rule")
	}
}
