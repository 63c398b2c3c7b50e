package survey

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"pinggu"
)

// batchOf queues the admitted submissions as one batch, in order, and
// writes it; it returns each one's result.
func batchOf(t *testing.T, s *Service, subs ...Submission) []commitResult {
	t.Helper()
	var batch []*commitReq
	for _, sub := range subs {
		p := admitted(t, s, sub)
		if err := s.signals(context.Background(), p, &undo{log: s.log}); err != nil {
			t.Fatal(err)
		}
		mode := countPlain
		if p.quota > 0 || p.cellQuota > 0 {
			mode = countQuota
		}
		batch = append(batch, &commitReq{resp: p.resp, entry: p.entry, mode: mode, quota: p.quota, cellQuota: p.cellQuota,
			markDevice: p.markDevice, done: make(chan commitResult, 1)})
	}
	s.commits.commit(batch)
	res := make([]commitResult, len(batch))
	for i, r := range batch {
		res[i] = <-r.done
	}
	return res
}

func withDevice(sub Submission, device string) Submission { sub.Device = device; return sub }

func storedFlags(t *testing.T, s *Service, sid string) []string {
	t.Helper()
	r, err := s.store.Response(context.Background(), "r", sid)
	if err != nil {
		t.Fatalf("%s: %v", sid, err)
	}
	return r.Flags
}

// One batch holding a new response, a resubmission of a stored one, a
// second response from the same device, the same submission twice (a
// double tap) and responses beyond the unit's quota of 2 (open mode):
// each gets what it would have got alone, in batch order, and the tally
// counts exactly the stored ones.
func TestBatchMixesNewDuplicateRepeatedAndOverQuota(t *testing.T) {
	t.Parallel()
	s, st := stepService(t, func(r *pinggu.Round) { r.Quotas = map[string]int{"u": 2} })
	ctx := context.Background()
	if r, err := s.Submit(ctx, stepSub("sid-stored-01")); err != nil || !r.Created {
		t.Fatalf("first response: %+v %v", r, err)
	}
	res := batchOf(t, s,
		withDevice(stepSub("sid-new-00001"), "dev-a"), // position 2: within the quota
		withDevice(stepSub("sid-stored-01"), "dev-b"), // stored before: not again
		withDevice(stepSub("sid-new-00002"), "dev-a"), // position 3: over, and a device seen before
		withDevice(stepSub("sid-new-00001"), "dev-a"), // the double tap of the first
		withDevice(stepSub("sid-new-00003"), "dev-c")) // position 4: over
	created := []bool{true, false, true, false, true}
	for i, r := range res {
		if r.err != nil || r.created != created[i] || r.cellOnlyOver {
			t.Errorf("submission %d: %+v, want created %v", i, r, created[i])
		}
	}
	want := map[string][]string{
		"sid-new-00001": nil,
		"sid-new-00002": {pinggu.FlagDuplicateDevice, pinggu.FlagOverQuota},
		"sid-new-00003": {pinggu.FlagOverQuota},
	}
	for sid, flags := range want {
		if got := storedFlags(t, s, sid); !slices.Equal(got, flags) {
			t.Errorf("%s flags %v, want %v", sid, got, flags)
		}
	}
	ts, err := st.Tallies(ctx, "r")
	if err != nil || len(ts) != 1 {
		t.Fatalf("tallies %+v %v", ts, err)
	}
	if ts[0].Received != 4 || ts[0].Counts["Q1:5"] != 4 || ts[0].Flags[pinggu.FlagDuplicateDevice] != 1 {
		t.Fatalf("tally %+v: want 4 received and counted, 1 device seen before", ts[0])
	}
	// The device of the resubmission was marked in the batch and, its
	// response not stored, forgotten again.
	if first, err := st.SeeDevice(ctx, "r", "dev-b"); err != nil || !first {
		t.Fatalf("device of a response not stored kept: %v %v", first, err)
	}
	if n, err := st.CountResponses(ctx, "r"); err != nil || n != 4 {
		t.Fatalf("%d responses stored: %v", n, err)
	}
}

// Without quotas the batch counts after the insert, one update per unit,
// and only what was stored.
func TestBatchCountsEachUnitOnceWhatWasStored(t *testing.T) {
	t.Parallel()
	s, st := stepService(t, func(r *pinggu.Round) { r.Units = append(r.Units, "v") })
	ctx := context.Background()
	if err := st.CreateUnit(ctx, &pinggu.Unit{Code: "v", Name: "另一单位", Type: pinggu.County, PeerGroup: "g"}); err != nil {
		t.Fatal(err)
	}
	other := func(sid string) Submission { x := stepSub(sid); x.Unit = "v"; return x }
	res := batchOf(t, s, stepSub("sid-u-000001"), other("sid-v-000001"), stepSub("sid-u-000002"), stepSub("sid-u-000001"), other("sid-v-000002"))
	for i, want := range []bool{true, true, true, false, true} {
		if res[i].err != nil || res[i].created != want {
			t.Errorf("submission %d: %+v", i, res[i])
		}
	}
	res = batchOf(t, s, other("sid-v-000001"), stepSub("sid-u-000003"))
	if res[0].created || !res[1].created {
		t.Fatalf("second batch: %+v", res)
	}
	ts, err := st.Tallies(ctx, "r")
	if err != nil || len(ts) != 2 || ts[0].Received != 3 || ts[1].Received != 2 || ts[0].Counts["Q1:5"] != 3 {
		t.Fatalf("tallies %+v %v: want u 3, v 2", ts, err)
	}
}

// Many concurrent submissions, some of them retried, to a unit with an
// open quota: they are written in batches, and exactly the responses
// beyond the quota are flagged.
func TestConcurrentSubmissionsAreBatchedAndFlaggedExactly(t *testing.T) {
	t.Parallel()
	const quota, n = 15, 60
	s, st := stepService(t, func(r *pinggu.Round) { r.Quotas = map[string]int{"u": quota} })
	ctx := context.Background()
	var mu sync.Mutex
	largest := 0
	s.ObserveBatches(func(size int) { mu.Lock(); largest = max(largest, size); mu.Unlock() })
	var wg sync.WaitGroup
	for i := range 2 * n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sid := fmt.Sprintf("sid-conc-%04d", i%n) // each sent twice
			if _, err := s.Submit(ctx, withDevice(stepSub(sid), fmt.Sprintf("dev-%04d", i%n))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if largest < 2 {
		t.Fatalf("no batch of more than %d", largest)
	}
	ts, err := st.Tallies(ctx, "r")
	if err != nil || len(ts) != 1 || ts[0].Received != n || ts[0].Flags[pinggu.FlagDuplicateDevice] != 0 {
		t.Fatalf("tally %+v %v: want %d received and no device seen twice", ts, err, n)
	}
	over := 0
	err = st.EachResponse(ctx, "r", func(r *pinggu.Response) error {
		if slices.Contains(r.Flags, pinggu.FlagOverQuota) {
			over++
		}
		return nil
	})
	if err != nil || over != n-quota {
		t.Fatalf("%d flagged over the quota, want %d: %v", over, n-quota, err)
	}
}
