package assessment

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"pinggu"
	"pinggu/report"
)

// ImportData fills reviewers' entries from a sheet of objective data (one
// row per unit, one column per indicator, e.g. 行政复议纠错率 from the
// courts or 12345满意率): every cell is checked against its leaf's rubric
// first, every bad row is reported, and nothing is written if any is
// wrong. Empty cells leave a leaf as it is. It returns how many entries it
// wrote; each is an ordinary entry (初审), with its history and audit.
func (s *Service) ImportData(ctx context.Context, round string, file io.Reader) (int, error) {
	r, err := s.store.Round(ctx, round)
	if err != nil {
		return 0, err
	}
	if r.Assessment == nil {
		return 0, pinggu.Errorf(pinggu.Conflict, "评估轮次%s不是考核轮次，没有指标录入", round)
	}
	sys, err := s.store.IndicatorSystem(ctx, r.Assessment.IndicatorSystem, r.Assessment.IndicatorVersion)
	if err != nil {
		return 0, err
	}
	all, err := s.store.Units(ctx)
	if err != nil {
		return 0, err
	}
	headers, rows, fe, err := report.ReadUnitData(file)
	if err != nil {
		return 0, err
	}
	if len(fe) > 0 {
		return 0, fe.Err("客观数据表有误，未导入")
	}
	leaves := map[string]*pinggu.Indicator{}
	children := sys.Children()
	for _, h := range headers {
		in, problem := headerLeaf(sys, children, h)
		if problem != "" {
			fe.Add(0, h, problem)
			continue
		}
		leaves[h] = in
	}
	units := pinggu.RoundUnits(all, r.Units)
	match := pinggu.MatchUnits(units)
	type entry struct {
		unit, indicator string
		v               pinggu.InputValue
	}
	var entries []entry
	seen := map[string]int{}
	for _, row := range rows {
		u := findUnit(units, match, row.Unit)
		if u == nil {
			fe.Add(row.Row, "单位", fmt.Sprintf("“%s”不是本轮参评单位", row.Unit))
			continue
		}
		if prev, dup := seen[u.Code]; dup {
			fe.Add(row.Row, "单位", fmt.Sprintf("%s与第%d行重复", u.Name, prev))
			continue
		}
		seen[u.Code] = row.Row
		for _, h := range headers {
			cell, in := row.Cells[h], leaves[h]
			if cell == "" || in == nil {
				continue
			}
			if !in.Applies(u.Type) {
				fe.Add(row.Row, in.Code, fmt.Sprintf("%s「%s」不适用于%s，请留空", in.Code, in.Name, u.Name))
				continue
			}
			v, problem := cellValue(in, cell)
			if problem != "" {
				fe.Add(row.Row, in.Code, fmt.Sprintf("%s「%s」：%s（填的是“%s”）", in.Code, in.Name, problem, cell))
				continue
			}
			entries = append(entries, entry{u.Code, in.Code, v})
		}
	}
	if err := fe.Err("客观数据表有误，未导入"); err != nil {
		return 0, err
	}
	for i, e := range entries {
		if _, err := s.SetInput(ctx, round, e.unit, e.indicator, e.v); err != nil {
			return i, err
		}
	}
	return len(entries), nil
}

// headerLeaf finds the leaf a column is for, by its code (the header's
// first word, in any case) or its full name.
func headerLeaf(sys *pinggu.IndicatorSystem, children map[string][]int, header string) (*pinggu.Indicator, string) {
	code := strings.Fields(header)[0]
	var in *pinggu.Indicator
	for i := range sys.Indicators {
		x := &sys.Indicators[i]
		if strings.EqualFold(x.Code, code) || x.Name == header {
			in = x
			break
		}
	}
	switch {
	case in == nil:
		return nil, fmt.Sprintf("列“%s”不是指标体系%s中的指标（表头写指标编码或名称）", header, sys.Name)
	case len(children[in.Code]) > 0:
		return nil, fmt.Sprintf("列“%s”：%s「%s」不是末级指标，得分为下级之和", header, in.Code, in.Name)
	case in.Rubric == pinggu.RubricSurvey:
		return nil, fmt.Sprintf("列“%s”：%s「%s」由满意度测评结果计算，不能导入", header, in.Code, in.Name)
	}
	return in, ""
}

// findUnit finds a round's unit by its code, else as pinggu.MatchUnits
// finds a written name.
func findUnit(units []pinggu.Unit, match func(string) (string, bool), s string) *pinggu.Unit {
	code := s
	if c, ok := match(s); ok {
		code = c
	}
	for i := range units {
		if units[i].Code == code {
			return &units[i]
		}
	}
	return nil
}

// cellValue reads a cell as the entry its leaf's rubric takes: 1/0 (or
// 是/否, 达标/未达标) for binary leaves, a number (a trailing % allowed)
// for proportional ones, a whole count for deductions, a score for manual
// ones; then the rubric's own check.
func cellValue(in *pinggu.Indicator, cell string) (pinggu.InputValue, string) {
	var v pinggu.InputValue
	switch cell {
	case "是", "达标":
		cell = "1"
	case "否", "未达标":
		cell = "0"
	}
	n, err := strconv.ParseFloat(strings.TrimSuffix(cell, "%"), 64)
	if err != nil {
		return v, "须为数字"
	}
	switch in.Rubric {
	case pinggu.RubricDeduction:
		c := int(n)
		if float64(c) != n {
			return v, "次数须为整数"
		}
		v.Count = &c
	case pinggu.RubricManual:
		v.Score = &n
	default:
		v.Value = &n
	}
	v.Comment = "客观数据导入"
	if err := v.Check(in); err != nil {
		for _, msg := range pinggu.ErrorFields(err) {
			return v, msg
		}
	}
	return v, ""
}
