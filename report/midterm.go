package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/scoring"
)

// Midterm is everything the mid-term evaluation workbook shows.
type Midterm struct {
	Round       *pinggu.Round
	Plans       []scoring.PlanResult
	UnitNames   map[string]string
	Final       bool
	Reports     int // accepted reports counted
	Fingerprint string
	Org         string // the installation's organisation: the workbook's author
}

func (m *Midterm) unit(code string) string {
	if n, ok := m.UnitNames[code]; ok {
		return n
	}
	return code
}

func (m *Midterm) units(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = m.unit(c)
	}
	return strings.Join(names, "、")
}

// WriteMidterm writes the mid-term workbook: 总体情况 with a chart of
// completion against time elapsed, 分章节, 分牵头单位, 滞后任务清单,
// 全部任务 (streamed) and 说明.
func WriteMidterm(w io.Writer, m *Midterm) error {
	asOf := m.Round.Midterm.AsOf.Time()
	b, err := newBook(Print{Title: m.Round.Title, Subject: "中期评估", Status: ResultStatus(m.Final),
		Dated: "评估截至 " + string(m.Round.Midterm.AsOf), Org: m.Org, Created: asOf})
	if err != nil {
		return err
	}
	defer b.f.Close()
	b.midtermOverview(m)
	b.midtermGroups("分章节", "章节", m, func(p scoring.PlanResult) []scoring.Group { return p.Chapters }, func(k string) string { return k })
	b.midtermGroups("分牵头单位", "牵头单位", m, func(p scoring.PlanResult) []scoring.Group { return p.Leads }, m.unit)
	b.midtermLagging(m)
	b.midtermTasks(m)
	b.midtermMethod(m)
	return b.write(w)
}

func statusTitles() []string {
	out := make([]string, len(scoring.Statuses))
	for i, s := range scoring.Statuses {
		out[i] = string(s)
	}
	return out
}

func statusCounts(g scoring.Group) []any {
	out := make([]any, len(scoring.Statuses))
	for i, s := range scoring.Statuses {
		out[i] = g.Counts[s]
	}
	return out
}

func (b *book) midtermOverview(m *Midterm) {
	sheet := b.titled("总体情况", fmt.Sprintf("总体情况（截至%s）", m.Round.Midterm.AsOf))
	titles := append([]string{"规划/方案", "类型", "起止日期", "时间进度τ", "完成度C", "要求（" + passText(m.Round.Midterm.PassOrDefault()) + "）",
		"时间过半、完成过半", "任务数"}, statusTitles()...)
	titles = append(titles, "应完成进度E", "差距C−E", "逾期未完成的约束性任务")
	b.header(sheet, 2, titles, []int{30, 4, 22})
	for i, p := range m.Plans {
		kind := map[pinggu.PlanKind]string{pinggu.KindPlan: "规划", pinggu.KindScheme: "方案"}[p.Plan.Kind]
		pass := "未达到"
		if p.Pass {
			pass = "达到"
		}
		vals := append([]any{p.Plan.Name, kind, string(p.Plan.Start) + " 至 " + string(p.Plan.End), p.Elapsed, p.Overall.Completion,
			p.Required, pass, p.Overall.Tasks}, statusCounts(p.Overall)...)
		vals = append(vals, p.Overall.Expected, p.Overall.Gap, overdueText(p.Overall.OverdueBinding))
		styles := make([]int, len(vals))
		copy(styles, []int{b.st.wrap, 0, 0, b.st.rate, b.st.rate, b.st.rate})
		styles[len(vals)-3], styles[len(vals)-2], styles[len(vals)-1] = b.st.rate, b.st.rate, b.st.wrap
		b.row(sheet, i+3, vals, styles)
	}
	if len(m.Plans) == 0 {
		return
	}
	last := len(m.Plans) + 2
	b.check(b.f.AddChart(sheet, cell(2, last+2), &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{
			{Name: fmt.Sprintf("'%s'!$D$2", sheet), Categories: fmt.Sprintf("'%s'!$A$3:$A$%d", sheet, last),
				Values: fmt.Sprintf("'%s'!$D$3:$D$%d", sheet, last), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"9E9E9E"}}},
			{Name: fmt.Sprintf("'%s'!$E$2", sheet), Categories: fmt.Sprintf("'%s'!$A$3:$A$%d", sheet, last),
				Values: fmt.Sprintf("'%s'!$E$3:$E$%d", sheet, last), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"A31515"}}},
		},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "完成度与时间进度"}}},
		Dimension: excelize.ChartDimension{Width: 560, Height: 300},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		YAxis:     excelize.ChartAxis{Minimum: ptr(0.0), Maximum: ptr(1.0), MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Font: axisFont},
		XAxis:     excelize.ChartAxis{Font: axisFont},
	}))
}

// passText states the pass rule in force.
func passText(r pinggu.PassRule) string {
	against := "τ"
	if r.Against == pinggu.PassAgainstExpected {
		against = "E"
	}
	t := fmt.Sprintf("C ≥ max(%s, %s)", strconv.FormatFloat(r.Minimum*100, 'f', -1, 64)+"%", against)
	if r.NoOverdueBinding {
		t += "，且无逾期未完成的约束性任务"
	}
	return t
}

// overdueText lists overdue binding tasks by 序号 and text.
func overdueText(ts []scoring.TaskResult) string {
	if len(ts) == 0 {
		return "无"
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.Task.No + " " + t.Task.Text
	}
	return fmt.Sprintf("%d项：%s", len(ts), strings.Join(parts, "；"))
}

func (b *book) midtermGroups(name, keyTitle string, m *Midterm, groups func(scoring.PlanResult) []scoring.Group, label func(string) string) {
	sheet := b.titled(name, name+"完成情况")
	titles := append([]string{"规划/方案", keyTitle, "任务数"}, statusTitles()...)
	titles = append(titles, "完成度", "滞后任务数", "应完成进度E", "差距C−E", "逾期约束性任务数")
	b.header(sheet, 2, titles, []int{24, 30})
	row := 3
	for _, p := range m.Plans {
		for _, g := range groups(p) {
			vals := append([]any{p.Plan.Name, label(g.Key), g.Tasks}, statusCounts(g)...)
			vals = append(vals, g.Completion, len(g.Lagging), g.Expected, g.Gap, len(g.OverdueBinding))
			styles := make([]int, len(vals))
			styles[len(vals)-5], styles[len(vals)-3], styles[len(vals)-2] = b.st.rate, b.st.rate, b.st.rate
			b.row(sheet, row, vals, styles)
			row++
		}
	}
}

func (b *book) midtermLagging(m *Midterm) {
	sheet := b.titled("滞后任务清单", "滞后任务清单")
	b.header(sheet, 2, []string{"规划/方案", "序号", "任务", "牵头单位", "类别", "应完成进度", "报送进度", "状态", "滞后原因", "最近报送截至日期"},
		[]int{20, 4, 50, 16, 6, 8, 8, 8, 40, 10})
	row := 3
	for _, p := range m.Plans {
		for _, t := range p.Overall.Lagging {
			reason, asOf := "未报送", ""
			if t.Report != nil {
				reason, asOf = t.Report.DelayReason, string(t.Report.AsOf)
			}
			b.row(sheet, row, []any{p.Plan.Name, t.Task.No, t.Task.Text, m.unit(t.Task.Lead), pinggu.ClassLabel(t.Task.Class),
				t.Expected, t.Progress, string(t.Status), reason, asOf}, []int{0, 0, b.st.wrap, 0, 0, b.st.rate, b.st.rate, 0, b.st.wrap})
			row++
		}
	}
}

// midtermTasks lists every task with its latest accepted report; a plan
// can have thousands of tasks, so the sheet is streamed.
func (b *book) midtermTasks(m *Midterm) {
	sw := b.streamSheet("全部任务", "全部任务", []string{"规划/方案", "序号", "章节", "任务", "牵头单位", "配合单位", "完成时限", "类别", "权重",
		"应完成进度", "报送进度", "状态", "报送截至日期", "进展情况", "滞后原因"}, []int{20, 4, 24, 50, 16, 24, 10, 6, 4, 8, 8, 8, 10, 50, 30})
	if sw == nil {
		return
	}
	row := 3
	for _, p := range m.Plans {
		for _, t := range p.Tasks {
			due := string(t.Task.Due)
			if t.Task.Ongoing {
				due = "持续推进"
			}
			asOf, narrative, reason := "", "", ""
			if t.Report != nil {
				asOf, narrative, reason = string(t.Report.AsOf), Neutralize(t.Report.Narrative), Neutralize(t.Report.DelayReason)
			}
			b.check(sw.SetRow(cell(1, row), b.cells(p.Plan.Name, t.Task.No, t.Task.Chapter, excelize.Cell{StyleID: b.st.wrap, Value: t.Task.Text},
				m.unit(t.Task.Lead), m.units(t.Task.CoUnits), due, pinggu.ClassLabel(t.Task.Class), t.Task.Weight,
				excelize.Cell{StyleID: b.st.rate, Value: t.Expected}, excelize.Cell{StyleID: b.st.rate, Value: t.Progress},
				string(t.Status), asOf, excelize.Cell{StyleID: b.st.wrap, Value: narrative}, excelize.Cell{StyleID: b.st.wrap, Value: reason})))
			row++
		}
	}
	b.flush(sw)
}

func (b *book) midtermMethod(m *Midterm) {
	sheet := b.titled("说明", "计算方法说明")
	status := ResultStatus(m.Final)
	lines := [][2]string{
		{"评估轮次", fmt.Sprintf("%s（%s）", m.Round.Title, m.Round.Code)},
		{"结果性质", status},
		{"评估截至日期", string(m.Round.Midterm.AsOf)},
		{"时间进度", "τ = (截至日期 − 开始日期) / (结束日期 − 开始日期)"},
		{"应完成进度", "π = clamp((截至日期 − 开始日期) / (完成时限 − 开始日期), 0, 1)；持续推进的任务按年度目标在各年内线性推进，无年度目标的按τ"},
		{"报送进度", "p = 截至日期前最近一次被采纳的进展报送；未报送或未采纳的按0计"},
		{"任务状态", fmt.Sprintf("已完成：p = 100%%（已采纳）；滞后：超过完成时限未完成，或 p ≤ π − δ；未启动：p = 0；超前：p ≥ π + δ；正常推进：|p − π| < δ；未到期：规划尚未开始。δ = %g", m.Round.Midterm.DeltaOrDefault())},
		{"完成度", "C = Σ 权重×p / Σ 权重（权重缺省为1）"},
		{"应完成进度", "E = Σ 权重×π / Σ 权重；差距 C − E 为负表示总体落后于各任务应有的进度"},
		{"时间过半、完成过半", passText(m.Round.Midterm.PassOrDefault()) + " 为达到（按百分比保留一位小数比较）"},
		{"逾期约束性任务", "完成时限已过而未完成的约束性任务，在总体情况中逐项列出，始终与达标结论并列"},
		{"滞后任务清单", "状态为滞后的任务，以及应有进展却未启动的任务；约束性任务列在前"},
		{"计入的进展报送", fmt.Sprint(m.Reports)},
		{"输入指纹", m.Fingerprint},
	}
	b.lines(sheet, 2, 90, lines)
}
