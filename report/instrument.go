package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/xuri/excelize/v2"

	"pinggu/scoring"
)

// reliability is 信度: Cronbach's α per dimension over the round's
// respondents who scored every item of it, and each item's correlation
// with the rest of its dimension.
func (b *book) reliability(sc *Scorecard) {
	if len(sc.Reliability) == 0 {
		return
	}
	sheet := b.titled("信度", "问卷信度")
	b.header(sheet, 2, []string{"维度", "题目", "完整作答人数", "Cronbach α", "题总相关"}, []int{12, 34, 0, 0, 0})
	row := 3
	for _, r := range sc.Reliability {
		b.row(sheet, row, []any{sc.Questionnaire.DimensionName(r.Dimension), strings.Join(r.Items, "、"), r.N, finite(r.Alpha)}, []int{0, b.st.wrap, b.st.integer, b.st.ratio})
		row++
		for i, code := range r.Items {
			text := code
			if q := sc.Questionnaire.Question(code); q != nil {
				text = code + " " + q.Text
			}
			b.row(sheet, row, []any{"", text, "", "", finite(r.ItemRest[i])}, []int{0, b.st.wrap, 0, 0, b.st.ratio})
			row++
		}
	}
	b.note(sheet, row+1, 5, "α按同一维度全部题目都有得分的受访者计算；题总相关为校正的题总相关，即该题与维度内其余题得分之和的相关系数。"+
		"只有一个题目或没有差异的维度不计算α（留空）；α ≥ 0.7 通常视为内部一致性可以接受。")
}

// quadrantColour marks a dimension's point by its quadrant.
func quadrantColour(q string) string {
	switch q {
	case scoring.QuadrantStrength:
		return "2E7D32"
	case scoring.QuadrantImprove:
		return "C62828"
	case scoring.QuadrantMaintain:
		return "1565C0"
	}
	return "9E9E9E"
}

// finite leaves a cell empty for a statistic that is not defined.
func finite(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return x
}

// importance is 重要性-表现: each dimension's round-wide mean
// (performance) against its correlation with the overall criterion
// (importance), with the quadrant and a scatter chart.
func (b *book) importance(sc *Scorecard) {
	if len(sc.Importance) == 0 {
		return
	}
	sheet := b.titled("重要性-表现", "重要性–表现分析")
	b.header(sheet, 2, []string{"维度", "表现（平均得分）", "重要性（相关系数）", "人数", "象限"}, []int{12, 0, 0, 0, 10})
	for i, im := range sc.Importance {
		b.row(sheet, i+3, []any{sc.Questionnaire.DimensionName(im.Dimension), im.Mean, finite(im.Correlation), im.N, im.Quadrant}, []int{0, b.st.score, b.st.ratio, b.st.integer})
	}
	last := len(sc.Importance) + 2
	note := "重要性 = 受访者维度得分与其综合得分（不含该维度）的相关系数；若本轮以综合满意度题定义综合得分，则为与该题的相关。" +
		"象限以各维度表现和重要性的平均值为界：优势区（重要、表现好）、维持区（次要、表现好）、改进区（重要、表现差，优先改进）、机会区（次要、表现差）。"
	b.note(sheet, last+2, 5, note)
	var series []excelize.ChartSeries
	for i := range sc.Importance {
		series = append(series, excelize.ChartSeries{Name: fmt.Sprintf("'%s'!$A$%d", sheet, i+3),
			Categories: fmt.Sprintf("'%s'!$B$%d", sheet, i+3), Values: fmt.Sprintf("'%s'!$C$%d", sheet, i+3),
			Marker: excelize.ChartMarker{Symbol: "circle", Size: 8, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{quadrantColour(sc.Importance[i].Quadrant)}}}})
	}
	b.check(b.f.AddChart(sheet, cell(1, last+4), &excelize.Chart{ // under the table, so it prints on the page
		Type: excelize.Scatter, Series: series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "重要性–表现分析"}}},
		Dimension: excelize.ChartDimension{Width: 480, Height: 360}, // fits a portrait A4 page
		Legend:    excelize.ChartLegend{Position: "right"},
		XAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "表现（平均得分）"}}}, Font: axisFont},
		YAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "重要性（相关系数）"}}}, Font: axisFont},
	}))
}
