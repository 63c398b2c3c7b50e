package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"pinggu"
)

// indicatorColumns maps accepted header names (English or Chinese) to fields.
var indicatorColumns = map[string]string{
	"code": "code", "编码": "code", "指标编码": "code",
	"parent": "parent", "parent code": "parent", "上级编码": "parent", "上级指标编码": "parent",
	"level": "level", "层级": "level",
	"name": "name", "名称": "name", "指标名称": "name",
	"points": "points", "分值": "points",
	"rubric": "rubric", "评分方法": "rubric",
	"rubric parameters": "params", "params": "params", "parameters": "params", "评分参数": "params",
	"applies to": "applies", "appliesto": "applies", "适用单位类型": "applies", "适用对象": "applies",
}

var rubricNames = map[string]pinggu.Rubric{
	"binary": pinggu.RubricBinary, "达标": pinggu.RubricBinary, "达标得满分": pinggu.RubricBinary,
	"proportional": pinggu.RubricProportional, "按比例": pinggu.RubricProportional,
	"deduction": pinggu.RubricDeduction, "扣分": pinggu.RubricDeduction,
	"survey": pinggu.RubricSurvey, "满意度": pinggu.RubricSurvey,
	"manual": pinggu.RubricManual, "评审": pinggu.RubricManual, "评审打分": pinggu.RubricManual,
}

var unitTypeNames = map[string]pinggu.UnitType{
	"county": pinggu.County, "县市区": pinggu.County, "县(市、区)": pinggu.County,
	"department": pinggu.Department, "市级部门": pinggu.Department, "部门": pinggu.Department,
	"town": pinggu.Town, "乡镇": pinggu.Town, "镇街": pinggu.Town, "乡镇(街道)": pinggu.Town,
	"县（市、区）": pinggu.County, "区县": pinggu.County, "乡镇（街道）": pinggu.Town, "乡镇街道": pinggu.Town, "街道": pinggu.Town,
}

// ReadIndicators reads an indicator sheet (the first sheet; one indicator
// per row after a header row). Every row that cannot be read is reported
// by its sheet row with the reason; the tree itself is checked by Validate.
// rowsOf[i] is the sheet row of the i-th indicator returned.
func ReadIndicators(r io.Reader) (ins []pinggu.Indicator, rowsOf []int, fe pinggu.RowErrors, err error) {
	t := table{columns: indicatorColumns, need: [][2]string{{"code", "编码"}, {"level", "层级"}, {"name", "名称"}, {"points", "分值"}}}
	fe, err = t.read(r, func(n int, row map[string]string, _ []string) string {
		in, msg := parseIndicator(row)
		if msg == "" {
			ins = append(ins, in)
			rowsOf = append(rowsOf, n)
		}
		return msg
	})
	return ins, rowsOf, fe, err
}

func parseIndicator(row map[string]string) (pinggu.Indicator, string) {
	in := pinggu.Indicator{Code: row["code"], Parent: row["parent"], Name: row["name"]}
	var err error
	if in.Level, err = strconv.Atoi(row["level"]); err != nil {
		return in, fmt.Sprintf("层级%q不是整数", row["level"])
	}
	if in.Points, err = strconv.ParseFloat(row["points"], 64); err != nil {
		return in, fmt.Sprintf("分值%q不是数字", row["points"])
	}
	if r := row["rubric"]; r != "" {
		rubric, ok := rubricNames[strings.ToLower(r)]
		if !ok {
			return in, fmt.Sprintf("评分方法%q无效（binary、proportional、deduction、survey、manual）", r)
		}
		in.Rubric = rubric
	}
	if msg := parseParams(&in, row["params"]); msg != "" {
		return in, msg
	}
	for _, t := range strings.FieldsFunc(row["applies"], func(r rune) bool { return strings.ContainsRune(",，、;； ", r) }) {
		ut, ok := unitTypeNames[strings.ToLower(t)]
		if !ok {
			return in, fmt.Sprintf("适用单位类型%q无效", t)
		}
		in.AppliesTo = append(in.AppliesTo, ut)
	}
	return in, ""
}

// parseParams reads "perInstance=2;cap=10", "target=100", "dimension=zwfw",
// "dimension=zwfw;thresholds=90:1,80:0.8,0:0.5".
func parseParams(in *pinggu.Indicator, s string) string {
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' }) {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Sprintf("评分参数%q应为 名称=值", part)
		}
		num := func() (float64, string) {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, fmt.Sprintf("评分参数%s的值%q不是数字", k, v)
			}
			return x, ""
		}
		var msg string
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "perinstance", "每次扣分":
			in.PerInstance, msg = num()
		case "cap", "扣分上限":
			in.Cap, msg = num()
		case "target", "目标值":
			in.Target, msg = num()
		case "dimension", "维度":
			in.Dimension = strings.TrimSpace(v)
		case "thresholds", "阈值":
			for _, pair := range strings.Split(v, ",") {
				a, b, ok := strings.Cut(pair, ":")
				min, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
				share, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
				if !ok || err1 != nil || err2 != nil {
					return fmt.Sprintf("阈值%q应为 分数:比例", pair)
				}
				in.Thresholds = append(in.Thresholds, pinggu.Threshold{Min: min, Share: share})
			}
		default:
			return fmt.Sprintf("未知评分参数%q", k)
		}
		if msg != "" {
			return msg
		}
	}
	return ""
}
