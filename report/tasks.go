package report

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"pinggu"
)

// taskColumns maps the header names offices use to task fields.
var taskColumns = map[string]string{
	"序号": "no", "编号": "no", "no": "no",
	"章节": "chapter", "重点任务": "chapter", "章节/重点任务": "chapter", "任务领域": "chapter", "chapter": "chapter",
	"具体任务": "text", "任务内容": "text", "工作任务": "text", "task": "text",
	"牵头单位": "lead", "责任单位": "lead", "lead": "lead",
	"配合单位": "co", "协同单位": "co", "co-units": "co",
	"完成时限": "due", "完成时间": "due", "due": "due",
	"任务类别": "class", "类别": "class", "class": "class",
	"权重": "weight", "weight": "weight",
}

var milestoneHeader = regexp.MustCompile(`^(20\d\d)\s*年?\s*(目标|节点|进度|计划)?`)

// ReadTasks reads a 任务分工方案 sheet (the first sheet, a header row, one
// task per row). Chapter cells merged over several rows apply to each row.
// match turns a unit name into its code. Rows that cannot be read are
// reported by sheet row with every reason found.
func ReadTasks(r io.Reader, match func(name string) (string, bool)) ([]pinggu.TaskRow, pinggu.RowErrors, error) {
	milestones := map[int]string{}
	t := table{columns: taskColumns, raw: true,
		need: [][2]string{{"no", "序号"}, {"text", "具体任务"}, {"lead", "牵头单位"}, {"due", "完成时限"}},
		other: func(col int, h string) {
			if m := milestoneHeader.FindStringSubmatch(strings.Join(strings.Fields(h), "")); m != nil {
				milestones[col] = m[1]
			}
		}}
	var out []pinggu.TaskRow
	seen := map[string]int{}
	chapter := ""
	fe, err := t.read(r, func(n int, row map[string]string, cells []string) string {
		if row["chapter"] != "" {
			chapter = row["chapter"]
		}
		row["chapter"] = chapter // merged chapter cells hold their text in the first row only
		task, problems := parseTask(row, cells, milestones, match)
		if prev, dup := seen[task.No]; dup && task.No != "" {
			problems = append(problems, fmt.Sprintf("序号%s与第%d行重复", task.No, prev))
		}
		if len(problems) == 0 {
			seen[task.No] = n
			out = append(out, pinggu.TaskRow{Row: n, Task: task})
		}
		return strings.Join(problems, "；")
	})
	return out, fe, err
}

func parseTask(row map[string]string, cells []string, milestones map[int]string, match func(string) (string, bool)) (pinggu.PlanTask, []string) {
	var problems []string
	t := pinggu.PlanTask{No: strings.TrimSuffix(row["no"], ".0"), Chapter: row["chapter"], Text: row["text"], Weight: 1}
	if !pinggu.ValidTaskNo(t.No) {
		problems = append(problems, "序号缺失或无效")
	}
	if t.Text == "" {
		problems = append(problems, "缺少具体任务")
	}
	leads := splitUnits(row["lead"])
	if len(leads) == 0 {
		problems = append(problems, "缺少牵头单位")
	}
	var codes []string
	for _, name := range append(leads, splitUnits(row["co"])...) {
		code, ok := match(name)
		if !ok {
			problems = append(problems, fmt.Sprintf("单位“%s”不在单位名录中", name))
			continue
		}
		codes = append(codes, code)
	}
	if len(codes) > 0 && len(problems) == 0 {
		t.Lead = codes[0]
		for _, c := range codes[1:] {
			if c != t.Lead && !containsString(t.CoUnits, c) {
				t.CoUnits = append(t.CoUnits, c)
			}
		}
	}
	due, ongoing, ok := ParseDue(row["due"])
	if !ok {
		problems = append(problems, fmt.Sprintf("完成时限“%s”无法识别", row["due"]))
	}
	t.Due, t.Ongoing = due, ongoing
	switch strings.TrimSpace(row["class"]) {
	case "约束性", "binding":
		t.Class = pinggu.Binding
	case "预期性", "expected", "":
		t.Class = pinggu.Expected
	default:
		problems = append(problems, fmt.Sprintf("任务类别“%s”应为约束性或预期性", row["class"]))
	}
	if w := row["weight"]; w != "" {
		v, err := strconv.ParseFloat(w, 64)
		if err != nil || v <= 0 || v > 100 {
			problems = append(problems, fmt.Sprintf("权重“%s”应为0–100之间的正数", w))
		}
		t.Weight = v
	}
	for i, year := range milestones {
		if i >= len(cells) || strings.TrimSpace(cells[i]) == "" {
			continue
		}
		v, ok := parseShare(cells[i])
		if !ok {
			problems = append(problems, fmt.Sprintf("%s年目标“%s”应为百分比", year, cells[i]))
			continue
		}
		if t.Milestones == nil {
			t.Milestones = map[string]float64{}
		}
		t.Milestones[year] = v
	}
	return t, problems
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// splitUnits splits "市司法局、市公安局，市人社局" into names.
func splitUnits(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、，,;；/\n ", r) })
}

// parseShare reads "30%", "0.3" or "30" as 0.3.
func parseShare(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%") || strings.HasSuffix(s, "％")
	s = strings.TrimRight(s, "%％")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	if pct || v > 1 {
		v /= 100
	}
	return v, v <= 1
}

var (
	ymdRe      = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(前|之前)?$`)
	ymRe       = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(底|末)?\s*(前|之前)?$`)
	yearRe     = regexp.MustCompile(`^(\d{4})\s*(年)?\s*(底|末|年底|年末)?\s*(前|之前)?$`)
	halfYearRe = regexp.MustCompile(`^(\d{4})\s*年\s*(上|下)半年\s*(前|之前)?$`)
	ongoingRe  = regexp.MustCompile(`^(持续推进|持续|长期|长期坚持|长期推进|常态化|每年)`)
)

// ParseDue reads a 完成时限 as offices write it: a date (2023-06-30,
// 2023/6/30, 2023年6月30日, an Excel date), a month (2023年6月底前), a half
// year (2023年上半年), a year (2023, 2023年底前), or 持续推进 (ongoing).
func ParseDue(s string) (due pinggu.Date, ongoing, ok bool) {
	s = strings.TrimSpace(s)
	if ongoingRe.MatchString(s) {
		return "", true, true
	}
	if m := ymdRe.FindStringSubmatch(s); m != nil {
		return date(m[1], m[2], m[3])
	}
	if m := ymRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if mo < 1 || mo > 12 {
			return "", false, false
		}
		last := time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC)
		return pinggu.Date(last.Format(pinggu.DateLayout)), false, true
	}
	if m := halfYearRe.FindStringSubmatch(s); m != nil {
		if m[2] == "上" {
			return pinggu.Date(m[1] + "-06-30"), false, true
		}
		return pinggu.Date(m[1] + "-12-31"), false, true
	}
	if m := yearRe.FindStringSubmatch(s); m != nil {
		return pinggu.Date(m[1] + "-12-31"), false, true
	}
	// An Excel date cell read raw is a serial day number.
	if v, err := strconv.ParseFloat(s, 64); err == nil && v > 20000 && v < 80000 {
		t, err := excelize.ExcelDateToTime(v, false)
		if err == nil {
			return pinggu.Date(t.Format(pinggu.DateLayout)), false, true
		}
	}
	return "", false, false
}

func date(y, m, d string) (pinggu.Date, bool, bool) {
	yy, _ := strconv.Atoi(y)
	mm, _ := strconv.Atoi(m)
	dd, _ := strconv.Atoi(d)
	out := pinggu.Date(fmt.Sprintf("%04d-%02d-%02d", yy, mm, dd))
	return out, false, out.Valid()
}
