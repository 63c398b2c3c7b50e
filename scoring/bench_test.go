package scoring_test

import (
	"fmt"
	"testing"

	"pinggu"
	"pinggu/scoring"
)

// BenchmarkTallyAdd: one response of 12 scale items added to a tally (the
// compile's per-response cost apart from reading it).
func BenchmarkTallyAdd(b *testing.B) {
	q := &pinggu.Questionnaire{Code: "q", Version: 1}
	a := pinggu.Answers{}
	for i := 1; i <= 12; i++ {
		code := fmt.Sprintf("Q%d", i)
		q.Questions = append(q.Questions, scale(fmt.Sprintf("d%d", i), code))
		a[code] = []string{[]string{"5", "4", "3", "9"}[i%4]}
	}
	t := scoring.NewTally(q, pinggu.Scoring{})
	r := &pinggu.Response{ID: "x", Unit: "u", Answers: a}
	b.ReportAllocs()
	for b.Loop() {
		t.Add(r)
	}
}
