package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"pinggu"
	"pinggu/store/storetest"
)

// BenchmarkInsertResponse is the backend's own write of one response, the
// floor under BenchmarkSubmitForm and BenchmarkSubmitJSON in server.
func BenchmarkInsertResponse(b *testing.B) {
	s := storetest.New(b)
	ctx := context.Background()
	answers := pinggu.Answers{"Q1": {"5"}, "D1": {"2"}, "Q2": {"4"}, "Q13": {"1", "3"}, "Q14": {"窗口服务很好"}, "Q15": {"9"}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := &pinggu.Response{ID: fmt.Sprintf("bench-raw-%08d", i), Round: "r2024", Unit: "chongchuan",
			Questionnaire: "fz2024", QuestionnaireVersion: 1, Answers: answers, Channel: pinggu.ChannelWeb,
			SubmittedAt: time.Now(), DurationMs: 1000}
		if created, err := s.InsertResponse(ctx, r); err != nil || !created {
			b.Fatalf("insert: %v %v", created, err)
		}
	}
}

// BenchmarkAddToTally is the per-submission counter upsert on its own.
func BenchmarkAddToTally(b *testing.B) {
	s := storetest.New(b)
	ctx := context.Background()
	q := sampleQuestionnaire()
	a := pinggu.Answers{"Q1": {"5"}, "Q2": {"1", "2"}, "Q3": {"好"}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.AddToTally(ctx, "r1", fmt.Sprintf("u%d", i%15), pinggu.TallyEntry{Questionnaire: q, Answers: a, At: time.Now(), Day: "2024-10-02", DurationMs: -1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInsertResponseParallel is the backend's own one-by-one write
// from 8 concurrent writers (4 per core on the 2-core machine), the floor
// under server's BenchmarkSubmitJSONParallel: compare their rates from one
// run (go test ./server ./store -run XXX -bench Parallel).
func BenchmarkInsertResponseParallel(b *testing.B) {
	s := storetest.New(b)
	ctx := context.Background()
	answers := pinggu.Answers{"Q1": {"5"}, "D1": {"2"}, "Q2": {"4"}, "Q13": {"1", "3"}, "Q14": {"窗口服务很好"}, "Q15": {"9"}}
	var n atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := &pinggu.Response{ID: fmt.Sprintf("bench-par-%08d", n.Add(1)), Round: "r2024", Unit: "chongchuan",
				Questionnaire: "fz2024", QuestionnaireVersion: 1, Answers: answers, Channel: pinggu.ChannelWeb,
				SubmittedAt: time.Now(), DurationMs: 1000}
			if created, err := s.InsertResponse(ctx, r); err != nil || !created {
				b.Fatalf("insert: %v %v", created, err)
			}
		}
	})
}
