package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"pinggu"
)

// A tally is one small document per (round, unit): the number of responses
// received and the count of every answer option. It is the sufficient
// statistic of the satisfaction formulas and the source of progress, so
// neither ever has to scan the responses collection. Keys look like "Q1:5"
// (question and option codes allow neither "." nor ":").
type tallyDoc struct {
	ID       string         `bson:"_id"` // round/unit
	Round    string         `bson:"round"`
	Unit     string         `bson:"unit"`
	Received int            `bson:"received"`
	Counts   map[string]int `bson:"counts"`
	Days     map[string]int `bson:"days"`  // submissions per date (YYYY-MM-DD)
	Flags    map[string]int `bson:"flags"` // quality flags fired at submission
	// Durations counts timed responses by pinggu.DurationBucket, for the
	// median behind the speeder flag.
	Durations map[string]int `bson:"durations"`
	Strata    map[string]int `bson:"strata"`   // responses per cell of the round's strata
	Channels  map[string]int `bson:"channels"` // responses per channel
	LastAt    time.Time      `bson:"lastAt"`
}

// tallyInc is the $inc of one response: received, its day, its time, its
// quality flags and its answers' counts; sign is 1 to count, -1 to take back.
func tallyInc(e pinggu.TallyEntry, sign int) bson.D {
	return groupByUnit([]pinggu.TallyAdd{{Entry: e}})[0].inc(sign)
}

// AddToTally counts one response of a unit (AddToTallies of one). Text
// answers count as "Q14:*" (answered), never by their content; the
// entry's day is the submission's date in the round's time zone.
func (s *Store) AddToTally(ctx context.Context, round, unit string, e pinggu.TallyEntry) error {
	return s.AddToTallies(ctx, []pinggu.TallyAdd{{Round: round, Unit: unit, Entry: e}})
}

// AddToTallies counts many stored responses with one atomic upsert per
// unit — the increments of a unit's responses summed, its lastAt the
// latest — sent as one unordered bulk write. A group commit calls it once
// per batch, so a popular unit's tally document is written once per batch
// instead of once per response.
func (s *Store) AddToTallies(ctx context.Context, adds []pinggu.TallyAdd) error {
	var models []mongo.WriteModel
	for _, g := range groupByUnit(adds) {
		models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: g.round + "/" + g.unit}}).
			SetUpdate(tallyUpdate(g.inc(1), g.last, g.round, g.unit)).SetUpsert(true))
	}
	if len(models) == 0 {
		return nil
	}
	_, err := s.db.Collection(colTallies).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return mapErr(err, pinggu.ObjTally)
}

// CountSlots counts a unit's stored responses in one atomic upsert and
// returns the unit's count and its strata's after it: the last
// len(entries) of those positions are theirs, in order, which tells each
// whether it is beyond a quota. No limit: a unit that stops at its quota
// takes its slots one by one (ReserveSlot).
func (s *Store) CountSlots(ctx context.Context, round, unit string, entries []pinggu.TallyEntry) (received int, strata map[string]int, err error) {
	adds := make([]pinggu.TallyAdd, len(entries))
	for i, e := range entries {
		adds[i] = pinggu.TallyAdd{Round: round, Unit: unit, Entry: e}
	}
	g := groupByUnit(adds)[0]
	var d tallyDoc
	err = s.db.Collection(colTallies).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: round + "/" + unit}},
		tallyUpdate(g.inc(1), g.last, round, unit),
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&d)
	return d.Received, d.Strata, mapErr(err, pinggu.ObjTally)
}

// unitCounts is the summed increments of one unit's responses.
type unitCounts struct {
	round, unit string
	keys        []string // in first-counted order, for a stable update
	counts      map[string]int
	last        time.Time
}

func (g *unitCounts) inc(sign int) bson.D {
	inc := make(bson.D, len(g.keys))
	for i, k := range g.keys {
		inc[i] = bson.E{Key: k, Value: sign * g.counts[k]}
	}
	return inc
}

// groupByUnit sums the increments of responses per unit, units in the
// order first met.
func groupByUnit(adds []pinggu.TallyAdd) []*unitCounts {
	var order []*unitCounts
	byID := map[string]*unitCounts{}
	for _, a := range adds {
		id := a.Round + "/" + a.Unit
		g := byID[id]
		if g == nil {
			g = &unitCounts{round: a.Round, unit: a.Unit, counts: map[string]int{}}
			byID[id] = g
			order = append(order, g)
		}
		a.Entry.EachCount(func(field, key string) {
			if key != "" {
				field += "." + key
			}
			if _, seen := g.counts[field]; !seen {
				g.keys = append(g.keys, field)
			}
			g.counts[field]++
		})
		if a.Entry.At.After(g.last) {
			g.last = a.Entry.At
		}
	}
	return order
}

// tallyUpdate adds inc to a unit's tally, creating it if need be.
func tallyUpdate(inc bson.D, at time.Time, round, unit string) bson.D {
	return bson.D{
		{Key: "$inc", Value: inc},
		{Key: "$max", Value: bson.D{{Key: "lastAt", Value: at}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "round", Value: round}, {Key: "unit", Value: unit}}},
	}
}

// Tally returns one unit's tally (zero when it has none yet).
func (s *Store) Tally(ctx context.Context, round, unit string) (pinggu.Tally, error) {
	var d tallyDoc
	err := s.db.Collection(colTallies).FindOne(ctx, bson.D{{Key: "_id", Value: round + "/" + unit}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return pinggu.Tally{Unit: unit}, nil
	}
	if err != nil {
		return pinggu.Tally{}, mapErr(err, pinggu.ObjTally)
	}
	return pinggu.Tally{Unit: d.Unit, Received: d.Received, Strata: d.Strata}, nil
}

// Tallies returns the tallies of a round, one per unit that has responses.
func (s *Store) Tallies(ctx context.Context, round string) ([]pinggu.Tally, error) {
	return findAll(ctx, s.db.Collection(colTallies), pinggu.ObjTally, bson.D{{Key: "round", Value: round}},
		func(d *tallyDoc) pinggu.Tally {
			return pinggu.Tally{Unit: d.Unit, Received: d.Received, Counts: d.Counts, Days: d.Days, Flags: d.Flags, Durations: d.Durations, Strata: d.Strata, Channels: d.Channels, LastAt: d.LastAt.UTC()}
		}, options.Find().SetSort(bson.D{{Key: "unit", Value: 1}}))
}

// ReserveSlot counts a response about to be stored — received, its answers,
// its day and its stratum — but only while received is below limit and
// its stratum's count below cellLimit (0: no limit), in one conditional
// update: of any number of concurrent submissions, at most limit get a
// slot, and at most cellLimit of a stratum. When none is left the slot
// says whether the stratum was the one full.
func (s *Store) ReserveSlot(ctx context.Context, round, unit string, limit, cellLimit int, e pinggu.TallyEntry) (slot pinggu.Slot, err error) {
	id := round + "/" + unit
	col := s.db.Collection(colTallies)
	filter := bson.D{{Key: "_id", Value: id}}
	if limit > 0 {
		filter = append(filter, bson.E{Key: "received", Value: bson.D{{Key: "$lt", Value: limit}}})
	}
	if cellLimit > 0 && e.Stratum != "" {
		// $not also matches a cell not counted yet (no field at all).
		filter = append(filter, bson.E{Key: "strata." + e.Stratum, Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gte", Value: cellLimit}}}}})
	}
	update := bson.D{{Key: "$inc", Value: tallyInc(e, 1)}, {Key: "$max", Value: bson.D{{Key: "lastAt", Value: e.At}}}}
	take := func(ctx context.Context) error {
		var d tallyDoc
		err := col.FindOneAndUpdate(ctx, filter, update, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
		slot = pinggu.Slot{OK: err == nil, Received: d.Received, Cell: d.Strata[e.Stratum]}
		return err
	}
	err = s.atomically(ctx, func(ctx context.Context) error {
		err := take(ctx)
		if err != mongo.ErrNoDocuments {
			return err
		}
		// No match: the unit's first response, or the quota is full.
		_, err = col.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "round", Value: round}, {Key: "unit", Value: unit},
			{Key: "received", Value: 0}, {Key: "counts", Value: bson.D{}}, {Key: "days", Value: bson.D{}}})
		if mongo.IsDuplicateKeyError(err) {
			return nil // it existed: full
		}
		if err != nil {
			return err
		}
		if err := take(ctx); err != mongo.ErrNoDocuments {
			return err
		}
		return nil
	})
	if err == nil && !slot.OK && cellLimit > 0 && e.Stratum != "" {
		// Say which was full: one read by key, only when turning away.
		var d tallyDoc
		if err = col.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err == nil {
			slot.CellFull = d.Strata[e.Stratum] >= cellLimit && (limit == 0 || d.Received < limit)
		}
	}
	return slot, mapErr(err, pinggu.ObjTally)
}

// CountFlag counts a flag known only after a response was counted (over a
// stratum's quota), in the unit's tally.
func (s *Store) CountFlag(ctx context.Context, round, unit, flag string) error {
	_, err := s.db.Collection(colTallies).UpdateOne(ctx, bson.D{{Key: "_id", Value: round + "/" + unit}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "flags." + flag, Value: 1}}}})
	return mapErr(err, pinggu.ObjTally)
}

// ReleaseSlot takes back what ReserveSlot counted, for a response that was
// not stored (a resubmit of a stored one, or a failed insert).
func (s *Store) ReleaseSlot(ctx context.Context, round, unit string, e pinggu.TallyEntry) error {
	_, err := s.db.Collection(colTallies).UpdateOne(ctx, bson.D{{Key: "_id", Value: round + "/" + unit}},
		bson.D{{Key: "$inc", Value: tallyInc(e, -1)}})
	return mapErr(err, pinggu.ObjTally)
}

// ReplaceTally writes a unit's tally rebuilt from its responses, only if
// the stored one is still the one read before the rebuild (was; zero when
// there was none): a submission counted meanwhile makes it report false
// and leaves the tally alone.
func (s *Store) ReplaceTally(ctx context.Context, round string, t, was pinggu.Tally) (bool, error) {
	d := tallyDoc{ID: round + "/" + t.Unit, Round: round, Unit: t.Unit, Received: t.Received, Counts: t.Counts, Days: t.Days,
		Flags: t.Flags, Durations: t.Durations, Strata: t.Strata, Channels: t.Channels, LastAt: t.LastAt}
	col := s.db.Collection(colTallies)
	if was.Unit == "" {
		_, err := col.InsertOne(ctx, d)
		if mongo.IsDuplicateKeyError(err) {
			return false, nil
		}
		return err == nil, mapErr(err, pinggu.ObjTally)
	}
	res, err := col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "received", Value: was.Received}, {Key: "lastAt", Value: was.LastAt}}, d)
	if err != nil {
		return false, mapErr(err, pinggu.ObjTally)
	}
	return res.MatchedCount == 1, nil
}
