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
// one batch is being written the next collects, and is written with one
// insert of the batch's device marks, one unordered InsertMany of its
// responses and one tally update per unit. A lone submission is written
// at once; under load a batch collects while the one before is written
// (and at most collectWindow more), so batches grow with the backend's
// commit time and at rest nothing waits. Every submission is
// answered after its batch's writes returned, so nothing is acknowledged
// that is not stored; the backend syncs each commit as before, only there
// are fewer of them.
//
// Only stored responses are counted, after the insert. A unit with a quota
// it does not stop at (open mode) is counted with one atomic increment for
// the batch whose result gives each response its position: those beyond
// the quota are then flagged (a second write, only for them). A unit that
// stops at its quota is counted slot by slot (Submit's reserve step),
// which is what keeps it exact.
type committer struct {
	store interface {
		InsertResponseBatch(ctx context.Context, rs []*pinggu.Response) (created []bool, errs []error)
		AddToTallies(ctx context.Context, adds []pinggu.TallyAdd) error
		CountSlots(ctx context.Context, round, unit string, entries []pinggu.TallyEntry) (received int, strata map[string]int, err error)
		FlagResponses(ctx context.Context, rs []*pinggu.Response, flag string) error
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
	countPlain countMode = iota // one increment per unit
	countQuota                  // with its position against the unit's (or its stratum's) quota
	countNot                    // not here: the unit stops at its quota and its slot counts it
)

// commitReq is one submission's response waiting in a batch.
type commitReq struct {
	resp             *pinggu.Response
	entry            pinggu.TallyEntry
	mode             countMode
	quota, cellQuota int  // countQuota: the unit's and its stratum's quota
	markDevice       bool // flag the response if its device answered before
	done             chan commitResult

	marked bool // its device was marked first by this batch
	res    commitResult
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
// devices, inserts the responses, gives back the device marks of those not
// stored and counts those stored. The same submission twice in one batch
// (a double tap) is written once; the second is answered as a
// resubmission.
func (c *committer) commit(batch []*commitReq) {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	if c.observe != nil {
		c.observe(len(batch))
	}
	reqs, repeats := firstOfEach(batch)
	c.markDevices(ctx, reqs)
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

// settle forgets the device marks of responses not stored and counts the
// stored ones. Failures are logged: the responses are stored and are the
// record, and the tallies are derived from them (a start after a crash or
// `pinggu repair` counts them again); failing the requests now would make
// the clients retry into "already stored".
func (c *committer) settle(ctx context.Context, reqs []*commitReq) {
	var plain []pinggu.TallyAdd
	var forget []*pinggu.Response
	quota := map[string][]*commitReq{}
	var units []string
	for _, r := range reqs {
		if r.marked && !r.res.created {
			forget = append(forget, r.resp)
		}
		if !r.res.created {
			continue
		}
		switch r.mode {
		case countPlain:
			plain = append(plain, pinggu.TallyAdd{Round: r.resp.Round, Unit: r.resp.Unit, Entry: r.entry})
		case countQuota:
			key := r.resp.Round + "/" + r.resp.Unit
			if quota[key] == nil {
				units = append(units, key)
			}
			quota[key] = append(quota[key], r)
		}
	}
	if err := c.store.ForgetDevices(ctx, forget); err != nil {
		c.log.Error("device marks of responses not stored not forgotten", "responses", len(forget), "err", err)
	}
	if err := c.store.AddToTallies(ctx, plain); err != nil {
		c.log.Error("responses stored but not counted", "responses", len(plain), "err", err)
	}
	for _, key := range units {
		if err := c.countQuota(ctx, quota[key]); err != nil {
			c.log.Error("responses stored but not counted or flagged", "unit", key, "responses", len(quota[key]), "err", err)
		}
	}
}

// countQuota counts one unit's stored responses of the batch with one
// increment, whose result gives them the unit's last positions in batch
// order (of their stratum likewise), and flags those beyond the unit's or
// their stratum's quota.
func (c *committer) countQuota(ctx context.Context, rs []*commitReq) error {
	entries := make([]pinggu.TallyEntry, len(rs))
	for i, r := range rs {
		entries[i] = r.entry
	}
	received, strata, err := c.store.CountSlots(ctx, rs[0].resp.Round, rs[0].resp.Unit, entries)
	if err != nil {
		return err
	}
	pos := received - len(rs)
	cellPos := map[string]int{}
	for _, r := range rs {
		cellPos[r.entry.Stratum]--
	}
	var over []*pinggu.Response
	for _, r := range rs {
		pos++
		cellPos[r.entry.Stratum]++
		cell := strata[r.entry.Stratum] + cellPos[r.entry.Stratum]
		unitOver := r.quota > 0 && pos > r.quota
		r.res.cellOnlyOver = !unitOver && r.cellQuota > 0 && r.entry.Stratum != "" && cell > r.cellQuota
		if unitOver || r.res.cellOnlyOver {
			over = append(over, r.resp)
		}
	}
	return c.store.FlagResponses(ctx, over, pinggu.FlagOverQuota)
}
