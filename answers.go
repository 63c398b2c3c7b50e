package pinggu

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Answers maps a question code to its answer: the chosen option codes, the
// rating as a decimal string, or the typed text. Every question has one value
// except multi, which has one per pick. The shape matches an HTML form.
type Answers map[string][]string

// Visible reports whether q is shown, given the answers to earlier questions.
func (q *Question) Visible(a Answers) bool {
	if q.ShowIf == nil {
		return true
	}
	for _, got := range a[q.ShowIf.Question] {
		for _, want := range q.ShowIf.In {
			if got == want {
				return true
			}
		}
	}
	return false
}

// CleanAnswers checks raw answers against the questionnaire and returns them
// cleaned: empty values dropped, text trimmed, and the answers to questions
// hidden by their showIf removed (the page hides them only where the browser
// can, so a form may still carry them). Every problem is named by question code.
func (qn *Questionnaire) CleanAnswers(raw Answers) (Answers, error) {
	fe := FieldErrors{}
	for code := range raw {
		if qn.Question(code) == nil {
			fe.Add(code, "问卷中没有这道题")
		}
	}
	clean := Answers{}
	for i := range qn.Questions {
		q := &qn.Questions[i]
		if !q.Visible(clean) {
			continue
		}
		vals := nonEmpty(raw[q.Code], q.Type == Text)
		if len(vals) == 0 {
			if q.Required {
				fe.Add(q.Code, "此题为必答题")
			}
			continue
		}
		if msg := q.check(vals); msg != "" {
			fe.Add(q.Code, msg)
			continue
		}
		clean[q.Code] = vals
	}
	if err := fe.Err("部分题目的回答有误，请检查"); err != nil {
		return nil, err
	}
	return clean, nil
}

// check returns what is wrong with the non-empty values of one answer.
func (q *Question) check(vals []string) string {
	if q.Type != Multi && len(vals) > 1 {
		return "此题只能有一个回答"
	}
	switch q.Type {
	case Single, Scale:
		if !q.HasOption(vals[0]) {
			return "所选选项不存在"
		}
	case Multi:
		seen := map[string]bool{}
		for _, v := range vals {
			if !q.HasOption(v) {
				return "所选选项不存在"
			}
			if seen[v] {
				return "同一选项只能选一次"
			}
			seen[v] = true
		}
		if q.MaxPicks > 0 && len(vals) > q.MaxPicks {
			return fmt.Sprintf("最多选择%d项", q.MaxPicks)
		}
	case Rating:
		n, err := strconv.Atoi(vals[0])
		if err != nil || n < RatingMin || n > RatingMax {
			return fmt.Sprintf("请选择%d–%d之间的整数", RatingMin, RatingMax)
		}
	case Text:
		if !utf8.ValidString(vals[0]) {
			return "含有无效字符"
		}
		if n := utf8.RuneCountInString(vals[0]); n > q.TextLimit() {
			return fmt.Sprintf("不能超过%d个字（现有%d个字）", q.TextLimit(), n)
		}
	}
	return ""
}

// nonEmpty drops blank values; for text it also trims, unifies line breaks
// and removes control characters other than line breaks and tabs.
func nonEmpty(vals []string, text bool) []string {
	var out []string
	for _, v := range vals {
		if text && utf8.ValidString(v) { // invalid UTF-8 is kept for check to reject
			v = cleanText(v)
		}
		if strings.TrimSpace(v) != "" {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
