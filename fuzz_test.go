package pinggu_test

import (
	"strings"
	"testing"

	"pinggu"
)

// FuzzCleanAnswers feeds arbitrary answers to the validation every
// submission passes: it must never panic, and what it accepts must obey
// the questionnaire (known questions, known options, limits).
func FuzzCleanAnswers(f *testing.F) {
	for _, seed := range []string{"Q1=5&D1=1", "Q1=9&D1=2&Q2=4", "Q3=a&Q3=b&Q3=c", "Q4=10", "Q4=-1", "Q5=\x00\xff", "sid=x", "Q1=5&Q1=4"} {
		f.Add(seed)
	}
	q := testQuestionnaire()
	f.Fuzz(func(t *testing.T, raw string) {
		a := pinggu.Answers{}
		for _, kv := range strings.Split(raw, "&") {
			k, v, _ := strings.Cut(kv, "=")
			a[k] = append(a[k], v)
		}
		clean, err := q.CleanAnswers(a)
		if err != nil {
			if pinggu.ErrorCode(err) != pinggu.Invalid || len(pinggu.ErrorFields(err)) == 0 {
				t.Fatalf("error without fields: %v", err)
			}
			return
		}
		for code, vals := range clean {
			qq := q.Question(code)
			if qq == nil {
				t.Fatalf("accepted unknown question %q", code)
			}
			if qq.Type != pinggu.Multi && len(vals) != 1 {
				t.Fatalf("accepted %d values for %s", len(vals), code)
			}
			for _, v := range vals {
				if (qq.Type == pinggu.Single || qq.Type == pinggu.Scale || qq.Type == pinggu.Multi) && !qq.HasOption(v) {
					t.Fatalf("accepted option %q for %s", v, code)
				}
			}
		}
		for _, qq := range q.Questions {
			if qq.Required && qq.Visible(clean) && len(clean[qq.Code]) == 0 {
				t.Fatalf("accepted without required %s", qq.Code)
			}
		}
	})
}
