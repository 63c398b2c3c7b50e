package report_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"pinggu"
	"pinggu/report"
	"pinggu/scoring"
)

// BenchmarkWriteScorecard writes the workbook of a 15-unit round with 12
// scale items from results already computed.
func BenchmarkWriteScorecard(b *testing.B) {
	q := &pinggu.Questionnaire{Code: "q", Version: 1, Title: "t"}
	for i := 1; i <= 12; i++ {
		q.Questions = append(q.Questions, pinggu.Question{Code: fmt.Sprintf("Q%d", i), Type: pinggu.Scale, Text: "您对本地政务服务的便利程度是否满意？",
			Dimension: fmt.Sprintf("d%d", i), Options: []pinggu.Option{{Code: "5", Label: "很满意", Score: score(100)},
				{Code: "4", Label: "满意", Score: score(80)}, {Code: "3", Label: "基本满意", Score: score(60)},
				{Code: "2", Label: "不满意", Score: score(40)}, {Code: "1", Label: "很不满意", Score: score(20)}, {Code: "9", Label: "不清楚"}}})
	}
	tally := scoring.NewTally(q, pinggu.Scoring{})
	var units []pinggu.Unit
	var codes []string
	for u := 0; u < 15; u++ {
		code := fmt.Sprintf("u%02d", u)
		codes = append(codes, code)
		units = append(units, pinggu.Unit{Code: code, Name: fmt.Sprintf("第%d区", u+1), PeerGroup: []string{"县市区", "市级部门"}[u%2]})
		for i := 0; i < 200; i++ {
			a := pinggu.Answers{}
			for k := 1; k <= 12; k++ {
				a[fmt.Sprintf("Q%d", k)] = []string{[]string{"5", "4", "3", "2", "1", "9"}[(i+k+u)%6]}
			}
			tally.Add(&pinggu.Response{ID: fmt.Sprint(u, "-", i), Unit: code, Answers: a})
		}
	}
	sc := &report.Scorecard{Round: &pinggu.Round{Code: "r", Title: "测评", Timezone: "Asia/Shanghai"}, Questionnaire: q,
		Units: units, Results: tally.Results(codes), Final: true, Responses: tally.Count(), IDsHash: tally.IDsHash(),
		Fingerprint: "fp", AsOf: time.Now(), Method: tally.Method()}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := report.WriteScorecard(io.Discard, sc); err != nil {
			b.Fatal(err)
		}
	}
}
