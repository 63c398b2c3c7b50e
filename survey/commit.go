package survey

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"pinggu"
)

// MaxBatch bounds how many submissions one group commit writes.
const MaxBatch = 256

// commitTimeout bounds one group commit's writes. They run apart from any
// one request (a respondent who gives up must not fail the others of the
// batch), so they need a bound of their own.
const commitTimeout = 30 * time.Second

// committer writes the responses of concurrent submissions together: while
// one batch is being committed the next collects, and is written with one
// insert of the batch's device marks, one unordered InsertMany of its
// responses and one tally update per unit. A lone submission is written
// at once — there is no timer: the window a batch collects in is the time
// the commit before it takes, so under load batches grow with the
// backend's commit time and at rest nothing waits. Every submission is
// answered after its batch's writes returned, so nothing is acknowledged
// that is not stored; the backend syncs each commit as before, only there
// are fewer of them.
//
// A unit with a quota it does not stop at (open mode) is counted before
// the insert, one atomic increment for the batch's responses of the unit,
// whose result gives each its position: beyond the quota it is flagged.
// A unit that stops at its quota is counted after the insert, slot by slot
// (Submit's reserve step), which is what keeps it exact.
type committer struct {
	store interface {
		InsertResponseBatch(ctx context.Context, rs []*pinggu.Response) (created []bool, errs []error)
		AddToTallies(ctx context.Context, adds []pinggu.TallyAdd) error
		TakeFromTallies(ctx context.Context, adds []pinggu.TallyAdd) error
		CountSlots(ctx context.Context, round, unit string, entries []pinggu.TallyEntry) (received int, strata map[string]int, err error)
		SeeDevices(ctx context.Context, rs []*pinggu.Response) (first []bool, errs []error)
		ForgetDevices(ctx context.Context, rs []*pinggu.Response) error
	}
	log     *slog.Logger
	observe func(size int) // each batch's size, for the metrics

	mu      sync.Mutex
	queue   []*commitReq
	writing bool          // a goroutine is writing batches
	last    int           // the size of the batch written last
	more    chan struct{} // a submission joined the queue
}

// collectWindow is the longest a batch waits for more submissions, and it
// waits only while it is smaller than the batch before: the submitters of
// that batch are probably on their way back with their next answers, and
// a batch of one written just ahead of them would cost them a whole
// commit.
const collectWindow = time.Millisecond

// How a response of a batch is counted in its unit's tally.
type countMode int

const (
	countAfter countMode = iota // once stored
	countFirst                  // before the insert, to learn its position against the quota
	countNot                    // not here: the unit stops at its quota and its slot counts it
)

// commitReq is one submission's response waiting in a batch.
type commitReq struct {
	resp             *pinggu.Response
	entry            pinggu.TallyEntry
	mode             countMode
	quota, cellQuota int  // countFirst: the unit's and its stratum's quota
	markDevice       bool // flag the response if its device answered before
	done             chan commitResult

	counted, marked bool // what the batch took for it before the insert
	res             commitResult
}

type commitResult struct {
	created      bool
	cellOnlyOver bool // beyond its stratum's quota but not the unit's
	err          error
}

// write stores a submission's response in the next batch, counted as mode
// says, and reports whether it is new (false for a submission id already
// stored in the round). It waits for the batch whatever the request does:
// once queued, its outcome is the batch's.
func (c *committer) write(p *pending, mode countMode) commitResult {
	r := &commitReq{resp: p.resp, entry: p.entry, mode: mode, quota: p.quota, cellQuota: p.cellQuota,
		markDevice: p.markDevice, done: make(chan commitResult, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, r)
	if !c.writing {
		c.writing = true
		go c.run()
	}
	c.mu.Unlock()
	select {
	case c.more <- struct{}{}:
	default:
	}
	return <-r.done
}

// run writes batches until the queue is empty.
func (c *committer) run() {
	for {
		batch := c.next()
		if batch == nil {
			return
		}
		c.commit(batch)
	}
}

// next takes the next batch off the queue, nil when it is empty (and then
// no goroutine is writing any more).
func (c *committer) next() []*commitReq {
	var window <-chan time.Time
	c.mu.Lock()
	for len(c.queue) > 0 && len(c.queue) < c.last {
		if window == nil {
			window = time.After(collectWindow)
		}
		c.mu.Unlock()
		select {
		case <-c.more:
		case <-window:
			c.mu.Lock()
			c.last = 0 // take what there is
			continue
		}
		c.mu.Lock()
	}
	defer c.mu.Unlock()
	n := min(len(c.queue), MaxBatch)
	if n == 0 {
		c.writing = false
		return nil
	}
	batch := c.queue[:n:n]
	c.queue, c.last = c.queue[n:], n
	return batch
}

// commit writes one batch and answers each of its submissions: marks the
// devices and counts the open-quota units' responses first, inserts the
// responses, gives back what was taken for those not stored, and counts
// the others that were. The same submission twice in one batch (a double
// tap) is written once; the second is answered as a resubmission.
func (c *committer) commit(batch []*commitReq) {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	if c.observe != nil {
		c.observe(len(batch))
	}
	reqs, repeats := firstOfEach(batch)
	c.markDevices(ctx, reqs)
	c.countFirst(ctx, reqs)
	var rs []*pinggu.Response
	var inserting []*commitReq
	for _, r := range reqs {
		if r.res.err == nil {
			rs, inserting = append(rs, r.resp), append(inserting, r)
		}
	}
	if len(rs) > 0 {
		created, errs := c.store.InsertResponseBatch(ctx, rs)
		for i, r := range inserting {
			r.res.created, r.res.err = created[i], errs[i]
		}
	}
	c.settle(ctx, reqs)
	for _, r := range reqs {
		r.done <- r.res
	}
	for r, first := range repeats {
		r.done <- commitResult{err: first.res.err}
	}
}

// firstOfEach keeps the first request of each submission id in a batch;
// the repeats map each later one to it.
func firstOfEach(batch []*commitReq) (reqs []*commitReq, repeats map[*commitReq]*commitReq) {
	seen := map[string]*commitReq{}
	for _, r := range batch {
		key := r.resp.Round + "/" + r.resp.ID
		if first := seen[key]; first != nil {
			if repeats == nil {
				repeats = map[*commitReq]*commitReq{}
			}
			repeats[r] = first
			continue
		}
		seen[key] = r
		reqs = append(reqs, r)
	}
	return reqs, repeats
}

// markDevices records the devices of the batch's responses in one insert
// and flags a response whose device answered the round before. A failed
// mark fails its response, unwritten.
func (c *committer) markDevices(ctx context.Context, reqs []*commitReq) {
	var marking []*commitReq
	var rs []*pinggu.Response
	for _, r := range reqs {
		if r.markDevice {
			marking, rs = append(marking, r), append(rs, r.resp)
		}
	}
	if len(rs) == 0 {
		return
	}
	first, errs := c.store.SeeDevices(ctx, rs)
	for i, r := range marking {
		switch {
		case errs[i] != nil:
			r.res.err = errs[i]
		case first[i]:
			r.marked = true
		default:
			r.resp.Flags = append(r.resp.Flags, pinggu.FlagDuplicateDevice)
			r.entry.Flags = r.resp.Flags
		}
	}
}

// countFirst counts the batch's responses to units with an open quota, one
// increment per unit, and flags those beyond the unit's or their stratum's
// quota. A unit whose count fails fails its responses, unwritten.
func (c *committer) countFirst(ctx context.Context, reqs []*commitReq) {
	units := map[string][]*commitReq{}
	var order []string
	for _, r := range reqs {
		if r.mode != countFirst || r.res.err != nil {
			continue
		}
		key := r.resp.Round + "/" + r.resp.Unit
		if units[key] == nil {
			order = append(order, key)
		}
		units[key] = append(units[key], r)
	}
	for _, key := range order {
		rs := units[key]
		entries := make([]pinggu.TallyEntry, len(rs))
		for i, r := range rs {
			entries[i] = r.entry
		}
		received, strata, err := c.store.CountSlots(ctx, rs[0].resp.Round, rs[0].resp.Unit, entries)
		if err != nil {
			for _, r := range rs {
				r.res.err = err
			}
			continue
		}
		// The batch's responses hold the last positions of the unit, in
		// batch order; of a stratum likewise.
		pos := received - len(rs)
		cellPos := map[string]int{}
		for _, r := range rs {
			cellPos[r.entry.Stratum]--
		}
		for _, r := range rs {
			r.counted = true
			pos++
			cellPos[r.entry.Stratum]++
			cell := strata[r.entry.Stratum] + cellPos[r.entry.Stratum]
			unitOver := r.quota > 0 && pos > r.quota
			r.res.cellOnlyOver = !unitOver && r.cellQuota > 0 && r.entry.Stratum != "" && cell > r.cellQuota
			if unitOver || r.res.cellOnlyOver {
				r.resp.Flags = append(r.resp.Flags, pinggu.FlagOverQuota)
			}
		}
	}
}

// settle gives back the counts and device marks of responses not stored
// and counts the stored ones counted after the insert. Failures are
// logged: the responses' outcomes are decided, and the tallies are derived
// from the stored responses (a start after a crash or `pinggu repair`
// counts them again).
func (c *committer) settle(ctx context.Context, reqs []*commitReq) {
	var add, takeBack []pinggu.TallyAdd
	var forget []*pinggu.Response
	for _, r := range reqs {
		a := pinggu.TallyAdd{Round: r.resp.Round, Unit: r.resp.Unit, Entry: r.entry}
		if r.counted && !r.res.created {
			takeBack = append(takeBack, a)
		}
		if r.marked && !r.res.created {
			forget = append(forget, r.resp)
		}
		if r.mode == countAfter && r.res.created {
			add = append(add, a)
		}
	}
	if err := c.store.TakeFromTallies(ctx, takeBack); err != nil {
		c.log.Error("counts of responses not stored not taken back", "responses", len(takeBack), "err", err)
	}
	if err := c.store.ForgetDevices(ctx, forget); err != nil {
		c.log.Error("device marks of responses not stored not forgotten", "responses", len(forget), "err", err)
	}
	if err := c.store.AddToTallies(ctx, add); err != nil {
		c.log.Error("responses stored but not counted", "responses", len(add), "err", err)
	}
}
