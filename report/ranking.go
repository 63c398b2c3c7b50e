package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/scoring"
)

// Ranked is one unit's place in its peer group by overall mean score.
type Ranked struct {
	Unit   pinggu.Unit
	Result scoring.UnitResult
	scoring.Placing
}

// Ranking is every peer group's placings and pairwise tests.
type Ranking struct {
	Groups []string            // in order of first appearance
	Units  map[string][]Ranked // group → units by rank, unranked last in round order
	Tests  map[string][]scoring.PairTest
	ByUnit map[string]Ranked
}

// Rank places the units within each peer group (scoring.RankGroup): the
// bootstrap runs once per compile, so the result is kept.
func (sc *Scorecard) Rank() *Ranking {
	if sc.ranking != nil {
		return sc.ranking
	}
	s := sc.Round.Scoring.WithDefaults()
	rk := &Ranking{Units: map[string][]Ranked{}, Tests: map[string][]scoring.PairTest{}, ByUnit: map[string]Ranked{}}
	members := map[string][]int{}
	for i, u := range sc.Units {
		if _, ok := members[u.PeerGroup]; !ok {
			rk.Groups = append(rk.Groups, u.PeerGroup)
		}
		members[u.PeerGroup] = append(members[u.PeerGroup], i)
	}
	for _, g := range rk.Groups {
		results := make([]scoring.UnitResult, len(members[g]))
		for k, i := range members[g] {
			results[k] = sc.Results[i]
		}
		placings, tests := scoring.RankGroup(results, s.Bootstrap, sc.Method.Level)
		rs := make([]Ranked, len(placings))
		for k, i := range members[g] {
			rs[k] = Ranked{Unit: sc.Units[i], Result: sc.Results[i], Placing: placings[k]}
			rk.ByUnit[sc.Units[i].Code] = rs[k]
		}
		sort.SliceStable(rs, func(a, b int) bool {
			ra, rb := rs[a].Rank, rs[b].Rank
			if ra == 0 || rb == 0 {
				return rb == 0 && ra != 0
			}
			return ra < rb
		})
		rk.Units[g], rk.Tests[g] = rs, tests
	}
	sc.ranking = rk
	return rk
}

// names lists units' names by code, joined for a cell.
func (sc *Scorecard) names(codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = sc.nameOf(c)
	}
	return strings.Join(out, "、")
}

// nameOf is a unit's name by code.
func (sc *Scorecard) nameOf(code string) string {
	if sc.unitNames == nil {
		sc.unitNames = pinggu.UnitNames(sc.Units)
	}
	return sc.unitNames[code]
}

// rankCell is a unit's rank, or why it has none.
func rankCell(r Ranked) any {
	if r.Rank == 0 {
		return "样本不足"
	}
	return r.Rank
}

// rankInterval is the bootstrap rank interval, e.g. "1–3".
func rankInterval(r Ranked) string {
	if r.Rank == 0 {
		return ""
	}
	if r.RankLow == r.RankHigh {
		return strconv.Itoa(r.RankLow)
	}
	return fmt.Sprintf("%d–%d", r.RankLow, r.RankHigh)
}

// significance says which units of its group a unit is significantly above
// and below (pairwise tests, Holm-adjusted).
func (sc *Scorecard) significance(r Ranked) string {
	if r.Rank == 0 {
		return "样本不足，不参与排名和比较"
	}
	var parts []string
	if len(r.Below) > 0 {
		parts = append(parts, "显著高于："+sc.names(r.Below))
	}
	if len(r.Above) > 0 {
		parts = append(parts, "显著低于："+sc.names(r.Above))
	}
	if len(parts) == 0 {
		return "与组内其他单位差异均不显著"
	}
	return strings.Join(parts, "；")
}

// placeValues are the rank interval, P(rank 1) and significance columns.
func (sc *Scorecard) placeValues(r Ranked) []any {
	if r.Rank == 0 {
		return []any{"", "", sc.significance(r)}
	}
	return []any{rankInterval(r), r.PFirst, sc.significance(r)}
}

var placeTitles = []string{"排名区间(95%)", "位列第一的概率", "组内显著差异(Holm校正)"}

// ranking is one peer group's sheet, by rank, then its chart, then every
// pair's test.
func (b *book) ranking(sc *Scorecard, group string, rk *Ranking) {
	sheet := b.titled("排名-"+group, group+" 满意度排名")
	titles := append([]string{"组内排名", "单位", "答卷数"}, statTitles...)
	titles = append(titles, "设计效应", "排名区间(95%)", "位列第一的概率", "显著高于", "显著低于")
	b.header(sheet, 2, titles, []int{0, 16})
	row := 3
	for _, r := range rk.Units[group] {
		vals := append([]any{rankCell(r), r.Unit.Name, r.Result.Respondents}, statValues(r.Result.Overall)...)
		if r.Rank > 0 {
			vals = append(vals, r.Result.DesignEffect, rankInterval(r), r.PFirst, sc.names(r.Below), sc.names(r.Above))
		}
		b.row(sheet, row, vals, append(b.statStyles(0, 0, b.st.integer), b.st.score, 0, b.st.rate, b.st.wrap, b.st.wrap))
		row++
	}
	b.rateColours(sheet, "I", 3, row-1)
	var ranked []charted
	for _, r := range rk.Units[group] {
		if r.Rank > 0 {
			ranked = append(ranked, charted{r.Unit.Name, r.Result.Overall.Mean})
		}
	}
	row = b.rankChart(sheet, group, "满意度得分", row+1, ranked, ptr(100.0))
	tests := rk.Tests[group]
	if len(tests) == 0 {
		return
	}
	row++
	b.row(sheet, row, []any{"两两比较", "单位A", "单位B", "得分差(A−B)", "标准误", "自由度", "p值", "Holm校正p值", "是否显著"},
		[]int{b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header, b.st.header})
	row++
	for _, t := range tests {
		verdict := "不显著"
		if t.Significant {
			verdict = "显著"
		}
		df := any(t.DF)
		if math.IsInf(t.DF, 0) {
			df = "∞"
		}
		b.row(sheet, row, []any{"", sc.nameOf(t.A), sc.nameOf(t.B), t.Diff, t.SE, df, t.P, t.PHolm, verdict},
			[]int{0, 0, 0, b.st.score, b.st.score, b.st.score, b.st.pvalue, b.st.pvalue})
		row++
	}
}

// charted is one ranked unit as a chart shows it.
type charted struct {
	name  string
	value float64
}

// rankChart writes, from row on, a group's ranked units (in rank order,
// so high to low) beside the group mean, and a column chart of them with
// each value labelled and the mean as a line; it returns the first row
// below both. what names the value (满意度得分, 考核总分); top is the
// value axis's end (nil: as the values need, a total may pass 100).
func (b *book) rankChart(sheet, group, what string, row int, ranked []charted, top *float64) int {
	if len(ranked) == 0 {
		return row
	}
	sum := 0.0
	for _, r := range ranked {
		sum += r.value
	}
	mean := scoring.Round(sum/float64(len(ranked)), 2)
	b.row(sheet, row, []any{"图表数据", "单位", what, "组内平均"}, []int{b.st.header, b.st.header, b.st.header, b.st.header})
	first := row + 1
	for i, r := range ranked {
		b.row(sheet, first+i, []any{i + 1, r.name, r.value, mean}, []int{0, 0, b.st.score, b.st.score})
	}
	last := first + len(ranked) - 1
	ref := func(col string) string { return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, col, first, col, last) }
	height := 300
	b.check(b.f.AddChart(sheet, cell(5, row), &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("'%s'!$C$%d", sheet, row), Categories: ref("B"), Values: ref("C"),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"2F5597"}}}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: group + " " + what + "（由高到低，虚线为组内平均）"}}},
		Dimension: excelize.ChartDimension{Width: uint(max(420, 60*len(ranked)+160)), Height: uint(height)},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		PlotArea:  excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0.00"}},
		YAxis:     excelize.ChartAxis{Minimum: ptr(0.0), Maximum: top, MajorGridLines: true, Font: axisFont},
		XAxis:     excelize.ChartAxis{Font: axisFont},
	}, &excelize.Chart{
		Type: excelize.Line,
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("'%s'!$D$%d", sheet, row), Categories: ref("B"), Values: ref("D"),
			Line: excelize.LineOptions{Width: 1.5, Dash: excelize.LineDashDash, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C00000"}}}, Marker: excelize.ChartMarker{Symbol: "none"}}},
	}))
	// The chart floats over about 20 rows of 15 points; what follows starts below it.
	return max(last, row+height/20) + 2
}
