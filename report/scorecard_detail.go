package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"pinggu"
	"pinggu/scoring"
)

// The scorecard's detail sheets: 满意度明细, 分渠道, 质量控制, 申诉处理, and
// what a unit's sheet says beside each indicator.

// detail is 满意度明细: one block per choice question, one row per unit,
// each option's count and share side by side, as a printed report shows a
// distribution (one line per option and unit took 46 pages for 15 units).
func (b *book) detail(sc *Scorecard) {
	sheet := b.titled("满意度明细", "各题选项分布")
	widest := 0
	for _, q := range sc.Questionnaire.Questions {
		if q.Type != pinggu.Text {
			widest = max(widest, len(q.Options), 11*btoi(q.Type == pinggu.Rating))
		}
	}
	nameWidth := 8
	for _, u := range sc.Units {
		nameWidth = max(nameWidth, displayWidth(u.Name))
	}
	b.check(b.f.SetColWidth(sheet, "A", "A", columnWidth(nameWidth)))
	last, _ := excelize.ColumnNumberToName(2 + 2*max(widest, 1))
	b.check(b.f.SetColWidth(sheet, "B", last, 7))
	row := 2
	for qi, q := range sc.Questionnaire.Questions {
		if q.Type == pinggu.Text {
			continue
		}
		title := q.Code + " " + q.Text
		if q.Type == pinggu.Multi {
			title += "（多选，占比之和可超过100%）"
		}
		b.check(b.f.MergeCell(sheet, cell(1, row), cell(2+2*max(widest, 1), row)))
		b.row(sheet, row, []any{title}, []int{b.st.title2})
		row++
		head := []any{"单位", "回答数"}
		var opts []scoring.OptionCount
		if len(sc.Results) > 0 {
			opts = sc.Results[0].Questions[qi].Options
		}
		for _, o := range opts {
			label := o.Label
			if label != o.Code {
				label += "(" + o.Code + ")"
			}
			head = append(head, label, "占比")
		}
		styles := make([]int, len(head))
		for i := range styles {
			styles[i] = b.st.header
		}
		b.row(sheet, row, head, styles)
		b.check(b.f.SetRowHeight(sheet, row, 30))
		row++
		for i, u := range sc.Units {
			qr := sc.Results[i].Questions[qi]
			vals, st := []any{u.Name, qr.Answered}, []int{0, b.st.integer}
			for _, o := range qr.Options {
				vals, st = append(vals, o.Count, o.Share), append(st, b.st.integer, b.st.rate)
			}
			b.row(sheet, row, vals, st)
			row++
		}
		row++
	}
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}

// channels is 分渠道: every unit's overall result per channel and source
// tag, so a unit's score can be read apart from how its sample came in.
func (b *book) channels(sc *Scorecard) {
	sheet := b.titled("分渠道", "分渠道结果")
	b.header(sheet, 2, append([]string{"单位", "渠道", "来源标记", "答卷数"}, statTitles...), []int{16, 10, 14})
	row := 3
	for _, u := range sc.Units {
		for _, ch := range sc.Channels[u.Code] {
			b.row(sheet, row, append([]any{u.Name, pinggu.ChannelLabel(ch.Channel), Neutralize(ch.Tag), ch.Result.Respondents}, statValues(ch.Result.Overall)...),
				b.statStyles(0, 0, 0, b.st.integer))
			row++
		}
	}
}

// quality is 质量控制: per unit, how many responses carry each flag and
// how many were excluded.
func (b *book) quality(sc *Scorecard) {
	titles := []string{"单位", "答卷数(计入)", "排除数"}
	for _, f := range pinggu.QualityFlags {
		titles = append(titles, f.Label)
	}
	sheet := b.titled("质量控制", "答卷质量控制")
	b.header(sheet, 2, titles, []int{16})
	for i, u := range sc.Units {
		excluded := 0
		for _, n := range sc.Excluded[u.Code] {
			excluded += n
		}
		vals := []any{u.Name, sc.Results[i].Respondents, excluded}
		for _, f := range pinggu.QualityFlags {
			vals = append(vals, sc.Flags[u.Code][f.Flag])
		}
		b.row(sheet, i+3, vals, nil)
	}
}

// appeals is 申诉处理: every appeal with its answer and, when upheld on a
// leaf, the entry before and after, so a changed place can be traced.
func (b *book) appeals(sc *Scorecard) {
	sheet := b.titled("申诉处理", "申诉处理情况")
	b.header(sheet, 2, []string{"单位", "申诉对象", "申诉理由", "提出时间", "佐证材料", "处理结果", "答复理由", "改正", "答复时间"},
		[]int{16, 24, 40, 16, 24, 12, 40, 24, 16})
	loc := sc.Round.Location()
	for i, a := range sc.Appeals {
		on := "总分"
		if in := sc.System.Indicator(a.Indicator); in != nil {
			on = in.Code + " " + in.Name
		}
		var files []string
		for _, e := range a.Evidence {
			files = append(files, e.Name)
		}
		answer, answered, change := "", "", ""
		if a.Answer != nil {
			answer, answered = a.Answer.Text, a.Answer.At.In(loc).Format("2006-01-02 15:04")
		}
		if c := a.Change; c != nil && c.Old != nil {
			change = entryWords(*c.Old) + " → " + entryWords(c.New)
		}
		b.row(sheet, i+3, []any{sc.nameOf(a.Unit), on, Neutralize(a.Reason), a.At.In(loc).Format("2006-01-02 15:04"),
			Neutralize(strings.Join(files, "、")), pinggu.DecisionLabel(a.Decision), Neutralize(answer), change, answered}, nil)
	}
}

// leafLine is what a unit's sheet says of one leaf beside its score: the
// unit's self-assessment, the reviewer's entry and the confirmation, why
// they differ, the evidence and any return.
type leafLine struct {
	self, reviewed, confirmed, why, files, returned string
	selfScore                                       any
}

func leafReview(ind *pinggu.Indicator, score float64, in pinggu.Input, self pinggu.SelfEntry) leafLine {
	var l leafLine
	if ind == nil {
		return l
	}
	var why []string
	if self.Indicator != "" {
		l.self = entryWords(self.InputValue)
		if s, missing := scoring.LeafScore(ind, self.InputValue); !missing {
			l.selfScore = s
			if s != score {
				why = append(why, fmt.Sprintf("自评%s分，核定%s分", strconv.FormatFloat(s, 'f', -1, 64), strconv.FormatFloat(score, 'f', -1, 64)))
			}
		}
		var names []string
		for _, e := range self.Evidence {
			names = append(names, e.Name)
		}
		l.files = strings.Join(names, "、")
		if self.Return != nil {
			l.returned = self.Return.Text
		}
	}
	if in.Indicator == "" {
		return l
	}
	l.reviewed = entryWords(in.InputValue)
	if c := in.Confirmed; c != nil {
		l.confirmed = "确认"
		if c.Was != nil {
			l.reviewed, l.confirmed = entryWords(*c.Was), "改为"+entryWords(in.InputValue)
			why = append(why, "复核："+c.Reason)
		}
	}
	if c := in.Confirmed; len(why) > 0 && in.Comment != "" && (c == nil || c.Was == nil) {
		why = append(why, "初审："+in.Comment)
	}
	l.why = strings.Join(why, "；")
	return l
}

// entryWords is an entry's value as a sheet shows it.
func entryWords(v pinggu.InputValue) string {
	switch {
	case v.Value != nil:
		return strconv.FormatFloat(*v.Value, 'f', -1, 64)
	case v.Count != nil:
		return strconv.Itoa(*v.Count) + "次"
	case v.Score != nil:
		return strconv.FormatFloat(*v.Score, 'f', -1, 64) + "分"
	}
	return ""
}
