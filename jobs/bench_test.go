package jobs_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"pinggu"
	"pinggu/jobs"
	"pinggu/store"
	"pinggu/store/storetest"
)

// benchRound stores a round of n responses over 15 units, 12 scale items each.
func benchRound(b *testing.B, n int) *store.Store {
	b.Helper()
	st := storetest.New(b)
	ctx := context.Background()
	var units []string
	for i := 0; i < 15; i++ {
		code := fmt.Sprintf("u%02d", i)
		units = append(units, code)
		if err := st.CreateUnit(ctx, &pinggu.Unit{Code: code, Name: "单位" + code, Type: pinggu.County, PeerGroup: []string{"县市区", "市级部门"}[i%2]}); err != nil {
			b.Fatal(err)
		}
	}
	q := &pinggu.Questionnaire{Code: "q", Title: "t"}
	for i := 1; i <= 12; i++ {
		q.Questions = append(q.Questions, pinggu.Question{Code: fmt.Sprintf("Q%d", i), Type: pinggu.Scale, Text: "x", Dimension: fmt.Sprintf("d%d", i),
			Options: []pinggu.Option{{Code: "5", Label: "很满意", Score: score(100)}, {Code: "4", Label: "满意", Score: score(80)},
				{Code: "3", Label: "基本满意", Score: score(60)}, {Code: "2", Label: "不满意", Score: score(40)},
				{Code: "1", Label: "很不满意", Score: score(20)}, {Code: "9", Label: "不清楚"}}})
	}
	if err := st.CreateQuestionnaire(ctx, q); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	if err := st.CreateRound(ctx, &pinggu.Round{Code: "r1", Title: "测评", Kind: pinggu.Satisfaction, Questionnaire: "q",
		QuestionnaireVersion: 1, Units: units, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(-time.Minute),
		Timezone: pinggu.DefaultTimezone, Status: pinggu.StatusClosed}); err != nil {
		b.Fatal(err)
	}
	batch := make([]*pinggu.Response, 0, 5000)
	for i := 0; i < n; i++ {
		a := pinggu.Answers{}
		for k := 1; k <= 12; k++ {
			a[fmt.Sprintf("Q%d", k)] = []string{[]string{"5", "4", "5", "3", "4", "2", "5", "1", "9", "4"}[(i*7+k*3)%10]}
		}
		batch = append(batch, &pinggu.Response{ID: fmt.Sprintf("b-%07d", i), Round: "r1", Unit: units[(i*i)%15],
			Questionnaire: "q", QuestionnaireVersion: 1, Answers: a, Channel: pinggu.ChannelWeb, SubmittedAt: now.Add(time.Duration(i) * time.Millisecond)})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := st.InsertResponses(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return st
}

// peakHeap samples the live heap while fn runs.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	return peak.Load()
}

// scanFloor times a raw cursor scan of the round's responses (undecoded
// bson.Raw), the floor under every job that reads them, and reports the
// job's time per op as a multiple of it ("x-scan"; the targets: compile
// ≤ 1.5, export ≤ 2).
func scanFloor(b *testing.B, st *store.Store) func() {
	b.Helper()
	t0 := time.Now()
	n := 0
	if err := st.ScanResponses(context.Background(), "r1", func(bson.Raw) error { n++; return nil }); err != nil {
		b.Fatal(err)
	}
	scan := time.Since(t0)
	return func() { // after the run: ResetTimer drops metrics reported before it
		b.ReportMetric(float64(scan.Milliseconds()), "scan-ms")
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(scan), "x-scan")
	}
}

// BenchmarkCompile compiles a closed round of 10k and of 100k responses
// over 15 units into a final scorecard. peak-heap-MB must not grow with
// the response count: responses are streamed into option counts.
func BenchmarkCompile(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			st := benchRound(b, n)
			c := jobs.NewCompiler(st, time.Now)
			var peak uint64
			defer scanFloor(b, st)()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// A different clock each run keeps the idempotence check from short-cutting.
				peak = max(peak, peakHeap(func() {
					if _, err := c.Compile(context.Background(), "r1", i%2 == 0, n, nil); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// BenchmarkExport writes the raw data of 10k and 100k responses as .xlsx
// and .csv.
func BenchmarkExport(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			st := benchRound(b, n)
			var peak uint64
			defer scanFloor(b, st)()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				st2 := &freshReports{Store: st}
				c := jobs.NewCompiler(st2, time.Now)
				peak = max(peak, peakHeap(func() {
					if _, err := c.Export(context.Background(), "r1", nil); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// benchSizes are the rounds' response counts: 10k and 100k, and 1M with
// PINGGU_BENCH_LARGE=1 (for the capacity table in docs/architecture.md:
// about half an hour and 1 GB of disk on the 2-core machine).
func benchSizes() []int {
	if os.Getenv("PINGGU_BENCH_LARGE") != "" {
		return []int{10_000, 100_000, 1_000_000}
	}
	return []int{10_000, 100_000}
}

// freshReports hides stored reports so every run writes its files anew.
type freshReports struct{ *store.Store }

func (f *freshReports) Reports(context.Context, string) ([]pinggu.Report, error) { return nil, nil }

func (f *freshReports) SaveReport(ctx context.Context, r *pinggu.Report, content io.Reader) error {
	_, err := io.Copy(io.Discard, content)
	return err
}

// BenchmarkMidtermCompile evaluates a plan of 5,000 tasks with 50,000
// progress reports (ten per task, half accepted) into the mid-term workbook.
func BenchmarkMidtermCompile(b *testing.B) {
	st := storetest.New(b)
	ctx := context.Background()
	for i := 0; i < 15; i++ {
		if err := st.CreateUnit(ctx, &pinggu.Unit{Code: fmt.Sprintf("u%02d", i), Name: fmt.Sprintf("单位%d", i), Type: pinggu.Department, PeerGroup: "市级部门"}); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.CreatePlan(ctx, &pinggu.Plan{Code: "fzzf", Name: "实施方案", Kind: pinggu.KindScheme, Start: "2021-01-01", End: "2025-12-31"}); err != nil {
		b.Fatal(err)
	}
	tasks := make([]pinggu.PlanTask, 5000)
	for i := range tasks {
		tasks[i] = pinggu.PlanTask{Plan: "fzzf", No: fmt.Sprint(i + 1), Chapter: fmt.Sprintf("第%d章", i/500+1), Text: "任务",
			Lead: fmt.Sprintf("u%02d", i%15), Due: "2024-12-31", Class: pinggu.Expected, Weight: 1}
	}
	if err := st.ReplaceTasks(ctx, "fzzf", tasks); err != nil {
		b.Fatal(err)
	}
	batch := make([]*pinggu.ProgressReport, 0, 5000)
	for i := 0; i < 50_000; i++ {
		status := pinggu.ReportAccepted
		if i/5000%2 == 1 { // every task: five accepted reports, five awaiting review
			status = pinggu.ReportSubmitted
		}
		batch = append(batch, &pinggu.ProgressReport{ID: fmt.Sprintf("p%06d", i), Plan: "fzzf", Task: fmt.Sprint(i%5000 + 1),
			Unit: fmt.Sprintf("u%02d", i%15), AsOf: pinggu.Date(fmt.Sprintf("2023-%02d-15", 1+i/5000%6)), Progress: float64(i % 101),
			Narrative: "推进中", Status: status, SubmittedAt: time.Now()})
		if len(batch) == cap(batch) {
			if err := st.AddProgressMany(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	now := time.Now()
	if err := st.CreateRound(ctx, &pinggu.Round{Code: "zq", Title: "中期评估", Kind: pinggu.Midterm, OpensAt: now.Add(-time.Hour),
		ClosesAt: now.Add(time.Hour), Timezone: pinggu.DefaultTimezone, Status: pinggu.StatusOpen,
		Midterm: &pinggu.MidtermSettings{Plans: []string{"fzzf"}, AsOf: "2023-07-03"}}); err != nil {
		b.Fatal(err)
	}
	var peak uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := jobs.NewCompiler(&freshReports{Store: st}, time.Now)
		peak = max(peak, peakHeap(func() {
			rep, err := c.Compile(ctx, "zq", false, 0, nil)
			if err != nil || rep.Responses != 5000 {
				b.Fatalf("%+v %v", rep, err)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
