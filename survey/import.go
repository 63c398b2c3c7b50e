package survey

import (
	"context"
	"regexp"
	"sort"

	"pinggu"
)

// ImportResult says what an offline import did.
type ImportResult struct {
	Rows       int                       `json:"rows"`
	Imported   int                       `json:"imported"`
	Duplicates int                       `json:"duplicates"` // already imported before: skipped
	Errors     []pinggu.ResponseRowError `json:"errors,omitempty"`
	// ErrorCount counts every problem; Errors lists the first
	// MaxImportErrors of them.
	ErrorCount int `json:"errorCount,omitempty"`
}

// MaxImportErrors is how many problems of an import are listed.
const MaxImportErrors = 1000

// ImportColumns is how many columns an offline sheet for the form can
// mean: the respondent's id, one per question, and a few for the
// interviewer's own notes. A wider sheet is refused before it is read.
func (f *Form) ImportColumns() int { return len(f.Questionnaire.Questions) + 10 }

var respondentRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// Import stores answers collected by phone (cati), face to face (capi) or
// on paper for one unit, each row through the same validation as a web
// submission. A file with any bad row stores nothing unless validOnly;
// every row is keyed by its respondent id, so a re-upload imports nothing twice.
func (s *Service) Import(ctx context.Context, round, unit string, ch pinggu.Channel, rows []pinggu.ResponseRow, validOnly bool) (*ImportResult, error) {
	switch ch {
	case pinggu.ChannelCATI, pinggu.ChannelCAPI, pinggu.ChannelPaper, pinggu.ChannelImport:
	default:
		return nil, pinggu.FieldErrors{"channel": "渠道须为cati（电话）、capi（面访）、paper（纸质）或import"}.Err("导入参数有误")
	}
	f, err := s.Form(ctx, round, unit)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Rows: len(rows)}
	type good struct {
		row     pinggu.ResponseRow
		answers pinggu.Answers
	}
	var goods []good
	seen := map[string]int{}
	for _, row := range rows {
		bad := func(field, msg string) {
			if res.ErrorCount++; len(res.Errors) < MaxImportErrors {
				res.Errors = append(res.Errors, pinggu.ResponseRowError{Row: row.Row, Respondent: row.Respondent, Field: field, Message: msg})
			}
		}
		if row.Problem != "" {
			bad("行", row.Problem)
			continue
		}
		if !respondentRe.MatchString(row.Respondent) {
			bad("受访者编号", "须为1–40位字母、数字、-或_")
			continue
		}
		if _, dup := seen[row.Respondent]; dup {
			bad("受访者编号", "与同一文件中的其他行重复")
			continue
		}
		seen[row.Respondent] = row.Row
		answers := byLabel(f.Questionnaire, row.Answers)
		if _, err := f.Questionnaire.CleanAnswers(answers); err != nil {
			fe := pinggu.ErrorFields(err)
			codes := make([]string, 0, len(fe))
			for c := range fe {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			for _, c := range codes {
				bad(c, fe[c])
			}
			continue
		}
		goods = append(goods, good{row, answers})
	}
	if res.ErrorCount > 0 && !validOnly {
		return res, pinggu.Errorf(pinggu.Invalid, "文件有%d处错误，未导入（可下载错误报告修正后重新上传，或选择只导入正确的行）", res.ErrorCount)
	}
	for _, g := range goods {
		rec, err := s.Submit(ctx, Submission{SID: "imp-" + unit + "-" + g.row.Respondent, Round: round, Unit: unit,
			Answers: g.answers, Channel: ch})
		if err != nil {
			return res, err
		}
		if rec.Created {
			res.Imported++
		} else {
			res.Duplicates++
		}
	}
	return res, nil
}

// byLabel accepts option labels as well as codes: interviewers' sheets
// often write 满意 rather than 4.
func byLabel(q *pinggu.Questionnaire, a pinggu.Answers) pinggu.Answers {
	out := make(pinggu.Answers, len(a))
	for code, vals := range a {
		qq := q.Question(code)
		conv := make([]string, len(vals))
		for i, v := range vals {
			conv[i] = v
			if qq != nil && !qq.HasOption(v) {
				for _, o := range qq.Options {
					if o.Label == v {
						conv[i] = o.Code
					}
				}
			}
		}
		out[code] = conv
	}
	return out
}
