package scoring_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"pinggu"
	"pinggu/scoring"
)

func score(v float64) *float64 { return &v }

func scale(dim string, code string) pinggu.Question {
	return pinggu.Question{Code: code, Type: pinggu.Scale, Text: code, Dimension: dim, Options: []pinggu.Option{
		{Code: "5", Label: "很满意", Score: score(100)}, {Code: "4", Label: "满意", Score: score(80)},
		{Code: "3", Label: "基本满意", Score: score(60)}, {Code: "2", Label: "不满意", Score: score(40)},
		{Code: "1", Label: "很不满意", Score: score(20)}, {Code: "9", Label: "不清楚"}}}
}

func questionnaire() *pinggu.Questionnaire {
	return &pinggu.Questionnaire{Code: "q", Version: 1, Title: "t", Questions: []pinggu.Question{
		scale("a", "Q1"), scale("b", "Q2"),
		{Code: "D1", Type: pinggu.Single, Text: "d", Options: []pinggu.Option{{Code: "1", Label: "男"}, {Code: "2", Label: "女"}}},
		{Code: "M", Type: pinggu.Multi, Text: "m", Options: []pinggu.Option{{Code: "x", Label: "甲"}, {Code: "y", Label: "乙"}}},
		{Code: "T", Type: pinggu.Text, Text: "t"},
	}}
}

func resp(id, unit string, kv ...string) *pinggu.Response {
	a := pinggu.Answers{}
	for i := 0; i < len(kv); i += 2 {
		a[kv[i]] = append(a[kv[i]], kv[i+1])
	}
	return &pinggu.Response{ID: id, Unit: unit, Answers: a}
}

func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-4 {
		t.Errorf("%s = %.6f, want %.6f", name, got, want)
	}
}

func TestWilsonPublishedValues(t *testing.T) {
	t.Parallel()
	low, high := scoring.Wilson(0.95, 100, 1.96)
	near(t, "low", low, 0.888248)
	near(t, "high", high, 0.978457)
	if math.Round(low*1000)/1000 != 0.888 || math.Round(high*1000)/1000 != 0.978 {
		t.Errorf("95 of 100 → [%.3f, %.3f], published [0.888, 0.978]", low, high)
	}
	if l, h := scoring.Wilson(1, 10, 1.96); h != 1 || l <= 0.6 {
		t.Errorf("10 of 10 → [%f, %f]", l, h)
	}
}

// TestUnweighted is computed by hand: Q1 scores 100, 80, 60, 40 and one
// 不清楚; respondents' overall means 90, 70, 60, 40, 30.
func TestUnweighted(t *testing.T) {
	t.Parallel()
	tally := scoring.NewTally(questionnaire(), pinggu.Scoring{})
	for _, r := range []*pinggu.Response{
		resp("r1", "u", "Q1", "5", "Q2", "4", "M", "x", "M", "y", "T", "好"),
		resp("r2", "u", "Q1", "4", "Q2", "3", "M", "x"),
		resp("r3", "u", "Q1", "3", "Q2", "9"),
		resp("r4", "u", "Q1", "9", "Q2", "2"),
		resp("r5", "u", "Q1", "2", "Q2", "1"),
	} {
		tally.Add(r)
	}
	res := tally.Results([]string{"u", "empty"})
	u := res[0]
	if u.Respondents != 5 || u.Unweighted != 0 {
		t.Fatalf("respondents %d unweighted %d", u.Respondents, u.Unweighted)
	}
	q1 := u.Questions[0].Stat
	if q1.N != 5 || q1.NScored != 4 {
		t.Errorf("Q1 n %d nScored %d, want 5 and 4 (不清楚 excluded)", q1.N, q1.NScored)
	}
	near(t, "Q1 mean", q1.Mean, 70)
	near(t, "Q1 nEff", q1.NEff, 4)
	near(t, "Q1 rate", q1.Rate, 0.75) // 100, 80, 60 ≥ 60
	// t at 3 df is 3.182446: 70 ± 3.182446·√(2000/3 / 4) leaves the
	// scale's [20, 100], so the bounded interval: m = 50/80 = 0.625,
	// s²ₘ = (2000/3)/6400, n* = 4·0.625·0.375/s²ₘ = 9, Wilson(0.625, 9, t).
	near(t, "Q1 meanLow", q1.MeanLow, 36.030034)
	near(t, "Q1 meanHigh", q1.MeanHigh, 93.380272)
	if !q1.Bounded {
		t.Error("Q1's interval should be the bounded one")
	}
	near(t, "Q1 rateLow", q1.RateLow, 0.300636)
	near(t, "Q1 rateHigh", q1.RateHigh, 0.954414)
	q2 := u.Questions[1].Stat
	near(t, "Q2 mean", q2.Mean, 50)
	near(t, "Q2 rate", q2.Rate, 0.5)
	if u.Dimensions[0].Dimension != "a" || u.Dimensions[0].Stat.Mean != q1.Mean || u.Dimensions[1].Stat.Mean != q2.Mean {
		t.Errorf("dimensions = %+v", u.Dimensions)
	}
	near(t, "overall mean", u.Overall.Mean, 58)
	near(t, "overall rate", u.Overall.Rate, 0.6)
	// Respondents 90, 70, 60, 40, 30: s² = 2280/4, t at 4 df 2.776445, inside the range.
	near(t, "overall meanLow", u.Overall.MeanLow, 28.355678)
	near(t, "overall meanHigh", u.Overall.MeanHigh, 87.644322)
	if u.Overall.Bounded || !u.Overall.Insufficient {
		t.Errorf("overall: bounded %v insufficient %v (5 respondents are below the default minimum of 30)", u.Overall.Bounded, u.Overall.Insufficient)
	}
	near(t, "overall rateLow", u.Overall.RateLow, 0.230720)
	// Option counts and shares: multi shares are of respondents who answered.
	m := u.Questions[3]
	if m.Answered != 2 || m.Options[0].Count != 2 || m.Options[1].Count != 1 || m.Options[0].Share != 1 || m.Options[1].Share != 0.5 {
		t.Errorf("multi counts = %+v", m)
	}
	if u.Questions[0].Options[5].Label != "不清楚" || u.Questions[0].Options[5].Count != 1 || u.Questions[0].Options[5].Share != 0.2 {
		t.Errorf("不清楚 count = %+v", u.Questions[0].Options[5])
	}
	if txt := u.Questions[4]; txt.Answered != 1 || txt.Options[0].Count != 1 {
		t.Errorf("text counted as %+v", txt)
	}
	if e := res[1]; e.Respondents != 0 || e.Overall.NScored != 0 || e.Overall.Mean != 0 || !e.Overall.Insufficient {
		t.Errorf("unit without responses = %+v", e.Overall)
	}
}

func TestScoreMapAndThreshold(t *testing.T) {
	t.Parallel()
	s := pinggu.Scoring{SatisfiedThreshold: 80, ScoreMap: map[string]float64{"5": 10, "4": 8, "3": 6, "2": 4, "1": 2, "9": 99}}
	tally := scoring.NewTally(questionnaire(), s)
	tally.Add(resp("r1", "u", "Q1", "5"))
	tally.Add(resp("r2", "u", "Q1", "3"))
	tally.Add(resp("r3", "u", "Q1", "9")) // 不清楚 stays unscored even if the map names it
	q1 := tally.Results([]string{"u"})[0].Questions[0].Stat
	near(t, "mean", q1.Mean, 8)
	near(t, "rate", q1.Rate, 0) // threshold 80 on a 10-point map: none satisfied
	if q1.NScored != 2 {
		t.Errorf("nScored = %d", q1.NScored)
	}
}

// TestPostStratification: cell D1=1 has three respondents scoring 100, cell
// D1=2 one scoring 20, each cell half the population, and one respondent
// without D1 is left out. w = 0.5/3 and 0.5/1; Σw = 1, Σw² = 1/3.
func TestPostStratification(t *testing.T) {
	t.Parallel()
	s := pinggu.Scoring{Weighting: &pinggu.Weighting{Cells: []string{"D1"}, Shares: map[string]float64{"1": 0.5, "2": 0.5}}}
	tally := scoring.NewTally(questionnaire(), s)
	for i := 0; i < 3; i++ {
		tally.Add(resp(fmt.Sprint("a", i), "u", "D1", "1", "Q1", "5"))
	}
	tally.Add(resp("b", "u", "D1", "2", "Q1", "1"))
	tally.Add(resp("c", "u", "Q1", "1"))
	u := tally.Results([]string{"u"})[0]
	if u.Respondents != 5 || u.Unweighted != 1 {
		t.Fatalf("respondents %d unweighted %d", u.Respondents, u.Unweighted)
	}
	q1 := u.Questions[0].Stat
	near(t, "weighted mean", q1.Mean, 60) // unweighted it would be 68
	near(t, "nEff", q1.NEff, 3)
	near(t, "rate", q1.Rate, 0.5)
	if q1.NScored != 4 || u.Overall.NScored != 4 {
		t.Errorf("nScored %d / overall %d: the unweighted respondent enters no estimate", q1.NScored, u.Overall.NScored)
	}
	// s² = (Σw y²/Σw − Ȳ²)·n_eff/(n_eff−1) = 1600·3/2; the t interval (2 df)
	// leaves [20, 100]: m = 0.5, n* = 3·0.25/(2400/6400) = 2, Wilson(0.5, 2, 4.302653).
	near(t, "meanLow", q1.MeanLow, 22)
	near(t, "meanHigh", q1.MeanHigh, 98)
	near(t, "rateLow", q1.RateLow, 0.125331)
}

// TestCompileIsDeterministic: the same responses in any order give
// byte-identical results and the same id hash; one response more changes the hash.
func TestCompileIsDeterministic(t *testing.T) {
	t.Parallel()
	run := func(reverse bool, n int) ([]byte, string) {
		tally := scoring.NewTally(questionnaire(), pinggu.Scoring{Weighting: &pinggu.Weighting{Cells: []string{"D1"}, Shares: map[string]float64{"1": 0.3, "2": 0.7}}})
		for k := 0; k < n; k++ {
			i := k
			if reverse {
				i = n - 1 - k
			}
			tally.Add(resp(fmt.Sprint("r", i), fmt.Sprint("u", i%3), "Q1", fmt.Sprint(1+i%5), "Q2", fmt.Sprint(1+(i*7)%5), "D1", fmt.Sprint(1+i%2)))
		}
		b, _ := json.Marshal(tally.Results([]string{"u0", "u1", "u2"}))
		return b, tally.IDsHash()
	}
	a, ha := run(false, 500)
	b, hb := run(true, 500)
	if string(a) != string(b) || ha != hb {
		t.Fatal("the same inputs in another order gave different results")
	}
	if _, hc := run(false, 501); hc == ha {
		t.Fatal("the id hash did not change with one response more")
	}
}

func TestRankDescTies(t *testing.T) {
	t.Parallel()
	got := scoring.RankDesc([]float64{80, 92.5, 80, 70, 92.5})
	want := []int{3, 1, 3, 5, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ranks = %v, want %v", got, want)
		}
	}
	if r := scoring.RankDesc(nil); len(r) != 0 {
		t.Fatal(r)
	}
}
