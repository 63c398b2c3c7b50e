package report

import (
	"fmt"
	"io"
	"sort"

	"pinggu"
)

// Ledger is a round's 整改台账: every rectification item with its status
// and days overdue on a given day, by unit.
type Ledger struct {
	Round *pinggu.Round
	Units []pinggu.Unit // the round's units, in its order
	Items []pinggu.Rectification
	Today pinggu.Date // in the round's zone: what "overdue" is counted against
	Loss  float64     // the share of a leaf's points whose loss makes an item
	Days  int         // the deadline after the close
	Org   string      // the installation's organisation: the workbook's author
}

// WriteLedger writes the ledger workbook: 整改台账 (one row per item,
// overdue first within each unit), 汇总 (per unit: items, closed, overdue)
// and 说明.
func WriteLedger(w io.Writer, l *Ledger) error {
	day := l.Today.Time()
	b, err := newBook(Print{Title: l.Round.Title, Subject: "整改台账", Dated: "统计日期 " + string(l.Today), Org: l.Org, Created: day})
	if err != nil {
		return err
	}
	defer b.f.Close()
	names, order := pinggu.UnitNames(l.Units), map[string]int{}
	for i, u := range l.Units {
		order[u.Code] = i
	}
	items := append([]pinggu.Rectification(nil), l.Items...)
	sort.SliceStable(items, func(i, j int) bool {
		a, c := items[i], items[j]
		if order[a.Unit] != order[c.Unit] {
			return order[a.Unit] < order[c.Unit]
		}
		return a.DaysOverdue(l.Today) > c.DaysOverdue(l.Today)
	})
	loc := l.Round.Location()
	sheet := b.titled("整改台账", "整改台账（统计日期 "+string(l.Today)+"）")
	b.header(sheet, 2, []string{"单位", "来源", "指标", "问题", "整改期限", "状态", "逾期天数", "报送次数", "最近报送", "报送时间", "审核意见"},
		[]int{16, 10, 8, 40, 12, 8, 8, 8, 40, 16, 30})
	for i, it := range items {
		source := "考核失分"
		if it.Source == pinggu.RectFinding {
			source = "督察等发现"
		}
		last, at, review := "", "", ""
		if n := len(it.Reports); n > 0 {
			last, at = it.Reports[n-1].Text, it.Reports[n-1].At.In(loc).Format("2006-01-02 15:04")
		}
		if it.Review != nil {
			review = it.Review.Text
		}
		b.row(sheet, i+3, []any{names[it.Unit], source, it.Indicator, Neutralize(it.Finding), string(it.Deadline),
			pinggu.RectStatusLabel(it.Status), it.DaysOverdue(l.Today), len(it.Reports), Neutralize(last), at, Neutralize(review)},
			[]int{0, 0, 0, b.st.wrap, 0, 0, b.st.integer, b.st.integer, b.st.wrap, 0, b.st.wrap})
	}
	sum := b.titled("汇总", "整改汇总")
	b.header(sum, 2, []string{"单位", "整改事项", "已销号", "未销号", "其中逾期"}, []int{16})
	for i, u := range l.Units {
		var all, closed, overdue int
		for _, it := range l.Items {
			if it.Unit != u.Code {
				continue
			}
			all++
			if it.Status == pinggu.RectClosed {
				closed++
			} else if it.DaysOverdue(l.Today) > 0 {
				overdue++
			}
		}
		b.row(sum, i+3, []any{u.Name, all, closed, all - closed, overdue}, nil)
	}
	b.lines(b.titled("说明", "说明"), 2, 90, [][2]string{
		{"评估轮次", fmt.Sprintf("%s（%s）", l.Round.Title, l.Round.Code)},
		{"统计日期", string(l.Today) + "（" + pinggu.ZoneLabel(l.Round.Timezone) + "）：逾期天数 = 统计日期 − 整改期限（已销号的事项不计逾期）"},
		{"事项来源", fmt.Sprintf("考核失分：最终结果中失分超过该项分值%.0f%%的末级指标，整改期限为轮次结束后%d天；督察等发现：管理员录入，期限由录入时确定", l.Loss*100, l.Days)},
		{"状态", "整改中 → 已报送（单位报送措施和进展）→ 已认可或退回 → 已销号（评估人员销号）"},
	})
	return b.write(w)
}
