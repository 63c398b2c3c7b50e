package scoring

import (
	"math"
	"math/rand/v2"
	"sort"

	"pinggu"
)

// RankDesc ranks values from high to low with competition ranking: equal
// values share a rank and the next rank skips (1, 2, 2, 4).
func RankDesc(values []float64) []int {
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return values[idx[a]] > values[idx[b]] })
	ranks := make([]int, len(values))
	for pos, i := range idx {
		if pos > 0 && values[i] == values[idx[pos-1]] {
			ranks[i] = ranks[idx[pos-1]]
		} else {
			ranks[i] = pos + 1
		}
	}
	return ranks
}

// PairTest compares the overall means of two ranked units of one peer
// group: Welch's two-sample t test on the weighted standard errors, with
// Holm's adjustment over all pairs of the group.
type PairTest struct {
	A, B        string  // units, A ranked above or level with B
	Diff        float64 // Ȳ_A − Ȳ_B
	SE          float64 // √(SE_A² + SE_B²)
	DF          float64 // Welch–Satterthwaite degrees of freedom
	P           float64 // two-sided
	PHolm       float64
	Significant bool // PHolm < 1 − confidence level
}

// Placing is a unit's place in its peer group by overall mean.
type Placing struct {
	Unit string
	// Rank follows the published (rounded) mean; 0: not ranked (样本不足).
	Rank int
	// Above lists the units significantly above it, Below those it is
	// significantly above.
	Above, Below []string
	// RankLow–RankHigh is the 95% bootstrap interval of its rank; PFirst
	// the share of bootstrap replicates in which it ranks first.
	RankLow, RankHigh int
	PFirst            float64
}

// RankGroup places one peer group's units: ranks by the rounded overall
// mean (ties share a rank), every pair tested, and rank intervals from a
// stratified bootstrap over respondents (each weighting cell resampled to
// its size, weights kept), seeded so that it reruns to the same numbers.
// Units whose overall estimate is insufficient are not placed.
func RankGroup(rs []UnitResult, boot pinggu.Bootstrap, level float64) ([]Placing, []PairTest) {
	out := make([]Placing, len(rs))
	var idx []int
	var means []float64
	for i, r := range rs {
		out[i].Unit = r.Unit
		if !r.Overall.Insufficient {
			idx = append(idx, i)
			means = append(means, RoundScore(r.Overall.Mean))
		}
	}
	for k, rank := range RankDesc(means) {
		out[idx[k]].Rank = rank
	}
	var tests []PairTest
	for x := 0; x < len(idx); x++ {
		for y := x + 1; y < len(idx); y++ {
			a, b := idx[x], idx[y]
			if out[b].Rank < out[a].Rank {
				a, b = b, a
			}
			tests = append(tests, welch(rs[a], rs[b]))
		}
	}
	rank := map[string]int{}
	for _, p := range out {
		rank[p.Unit] = p.Rank
	}
	sort.SliceStable(tests, func(i, j int) bool { // listed by the ranks of A, then B
		if rank[tests[i].A] != rank[tests[j].A] {
			return rank[tests[i].A] < rank[tests[j].A]
		}
		return rank[tests[i].B] < rank[tests[j].B]
	})
	ps := make([]float64, len(tests))
	for i, t := range tests {
		ps[i] = t.P
	}
	byUnit := map[string]int{}
	for i, r := range rs {
		byUnit[r.Unit] = i
	}
	for i, p := range Holm(ps) {
		tests[i].PHolm = p
		tests[i].Significant = p < 1-level
		if tests[i].Significant {
			a, b := byUnit[tests[i].A], byUnit[tests[i].B]
			if tests[i].Diff < 0 { // level on the rounded mean, below on the estimate
				a, b = b, a
			}
			out[a].Below = append(out[a].Below, rs[b].Unit)
			out[b].Above = append(out[b].Above, rs[a].Unit)
		}
	}
	bootstrapRanks(rs, idx, out, boot)
	return out, tests
}

func welch(a, b UnitResult) PairTest {
	sa, sb := a.Overall, b.Overall
	t := PairTest{A: a.Unit, B: b.Unit, Diff: sa.Mean - sb.Mean}
	t.SE, t.DF, t.P = welchTest(t.Diff, sa.SE, sa.NEff, sb.SE, sb.NEff)
	return t
}

// welchTest is Welch's two-sample t test of a difference d of two means
// with standard errors se1, se2 on effective sizes n1, n2: its standard
// error √(se1² + se2²), Welch–Satterthwaite degrees of freedom and the
// two-sided p. Without any spread a difference is certain (p = 0) and no
// difference is none (p = 1).
func welchTest(d, se1, n1, se2, n2 float64) (se, df, p float64) {
	v1, v2 := se1*se1, se2*se2
	se = math.Sqrt(v1 + v2)
	if se == 0 {
		if d != 0 {
			return 0, math.Inf(1), 0
		}
		return 0, math.Inf(1), 1
	}
	df = (v1 + v2) * (v1 + v2) / (v1*v1/math.Max(1, n1-1) + v2*v2/math.Max(1, n2-1))
	return se, df, 2 * TCDF(-math.Abs(d)/se, df)
}

// bootstrapRanks fills each placed unit's rank interval and P(rank 1).
// Each replicate draws every cell's respondents with replacement from the
// cell's table of overall scores (by binary search on cumulative counts:
// memory grows with distinct scores, never with respondents).
func bootstrapRanks(rs []UnitResult, idx []int, out []Placing, boot pinggu.Bootstrap) {
	if len(idx) == 0 || boot.Replicates <= 0 {
		return
	}
	type cumCell struct {
		w      float64
		values []float64
		cum    []int
	}
	cells := make([][]cumCell, len(idx))
	for k, i := range idx {
		for _, c := range rs[i].Sample.Cells {
			cc := cumCell{w: c.Weight, values: c.Values}
			total := 0
			for _, n := range c.Counts {
				total += n
				cc.cum = append(cc.cum, total)
			}
			cells[k] = append(cells[k], cc)
		}
	}
	rng := rand.New(rand.NewPCG(boot.Seed, 0x70696e676775)) // "pinggu"
	ranks := make([][]int, len(idx))
	first := make([]int, len(idx))
	means := make([]float64, len(idx))
	for b := 0; b < boot.Replicates; b++ {
		for k := range idx {
			sw, swy := 0.0, 0.0
			for _, c := range cells[k] {
				n := c.cum[len(c.cum)-1]
				sum := 0.0
				for j := 0; j < n; j++ {
					sum += c.values[sort.SearchInts(c.cum, rng.IntN(n)+1)]
				}
				sw += c.w * float64(n)
				swy += c.w * sum
			}
			means[k] = swy / sw
		}
		for k, r := range RankDesc(means) {
			ranks[k] = append(ranks[k], r)
			if r == 1 {
				first[k]++
			}
		}
	}
	for k, i := range idx {
		sort.Ints(ranks[k])
		lo := int(math.Ceil(0.025*float64(boot.Replicates))) - 1
		hi := int(math.Ceil(0.975*float64(boot.Replicates))) - 1
		out[i].RankLow, out[i].RankHigh = ranks[k][max(0, lo)], ranks[k][hi]
		out[i].PFirst = float64(first[k]) / float64(boot.Replicates)
	}
}
