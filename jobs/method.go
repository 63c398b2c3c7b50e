package jobs

import (
	"sort"

	"pinggu"
	"pinggu/report"
	"pinggu/scoring"
)

// methodOf writes down every input and constant of a publication: what
// the method file holds and the fingerprint hashes.
func methodOf(sc *report.Scorecard, t *scoring.Tally, raw *report.Raw, q *Quality) *report.Method {
	r, s, me := sc.Round, sc.Round.Scoring.WithDefaults(), t.Method()
	m := &report.Method{Format: report.MethodFormat, Round: r.Code, Title: r.Title, Kind: string(r.Kind), Timezone: r.Timezone,
		OpensAt: r.OpensAt.UTC(), ClosesAt: r.ClosesAt.UTC(), Final: sc.Final, AsOf: sc.AsOf,
		Questionnaire: sc.Questionnaire.Code, Version: sc.Questionnaire.Version,
		Scores: map[string]map[string]float64{}, Dimensions: map[string][]string{}, Overall: pinggu.OverallScore{Method: pinggu.OverallItems},
		SatisfiedThreshold: s.SatisfiedThreshold, Z: s.Z, ConfidenceLevel: me.Level, ScaleRange: [2]float64{me.Low, me.High},
		MeanInterval: "t: mean ± t(1−(1−level)/2, nEff−1)·sd/√nEff, sd² = (Σw·y²/Σw − mean²)·nEff/(nEff−1); " +
			"bounded when that leaves scaleRange or has no width (nEff < 2 or sd = 0): m = (mean − lo)/(hi − lo), " +
			"n* = nEff·m(1−m)/(sd/(hi−lo))² (n* = nEff when sd = 0), Wilson(m, n*, t(…, max(1, nEff−1))) rescaled",
		RateInterval: "Wilson(rate, nEff, z)",
		MinSample:    s.MinSample, MinEffective: s.MinEffective,
		Precision: map[string]int{"score": scoring.ScorePlaces, "rate": scoring.RatePlaces, "total": scoring.ScorePlaces},
		Ranking: "within peer groups by the overall mean rounded to 2 decimals (ties share a rank, competition ranking); " +
			"pairs: Welch t on the weighted SEs, Holm-adjusted over the group's pairs, significant when below 1 − level",
		Bootstrap:    s.Bootstrap,
		BootstrapRNG: "Go math/rand/v2 PCG(seed, 0x70696e676775); per replicate, per unit in group order, per cell in key order: n draws IntN(n)",
		Weighting:    s.Weighting, Excluded: raw.Excluded, Responses: q.Rows, DigestColumns: raw.InputColumns(),
		RowsDigest: q.Digest.Hex(), IDsDigest: t.IDsHash(), Baseline: sc.Baseline}
	if s.Overall != nil {
		m.Overall = *s.Overall
	}
	for _, qq := range sc.Questionnaire.Questions {
		if qq.Type != pinggu.Scale {
			continue
		}
		m.Scores[qq.Code] = map[string]float64{}
		for _, o := range qq.Options {
			if y, ok := t.ScoreOf(qq.Code, o.Code); ok {
				m.Scores[qq.Code][o.Code] = y
			}
		}
		if qq.Dimension != "" {
			m.Dimensions[qq.Dimension] = append(m.Dimensions[qq.Dimension], qq.Code)
		}
	}
	if s.Weighting != nil {
		m.Weights = map[string]map[string]float64{}
		for _, res := range sc.Results {
			m.Weights[res.Unit] = res.Weights
		}
	}
	for _, u := range sc.Units {
		m.Units = append(m.Units, report.MethodUnit{Code: u.Code, Name: u.Name, Type: string(u.Type), PeerGroup: u.PeerGroup})
	}
	if sc.Assessments == nil {
		return m
	}
	m.Assessment, m.IndicatorSystem, m.Entries = r.Assessment, sc.System, sc.Entries
	m.Review = map[string]map[string]report.MethodReview{}
	review := func(unit, ind string) *report.MethodReview {
		if m.Review[unit] == nil {
			m.Review[unit] = map[string]report.MethodReview{}
		}
		r := m.Review[unit][ind]
		return &r
	}
	for unit, es := range sc.Self {
		for ind, e := range es {
			r := review(unit, ind)
			v := e.InputValue
			r.Self = &v
			if e.Return != nil {
				r.Returned = e.Return.Text
			}
			m.Review[unit][ind] = *r
		}
	}
	for unit, ins := range sc.Inputs {
		for ind, in := range ins {
			if c := in.Confirmed; c != nil {
				r := review(unit, ind)
				r.Confirmed, r.Was = true, c.Was
				m.Review[unit][ind] = *r
			}
		}
	}
	for _, a := range sc.Appeals {
		ma := report.MethodAppeal{Unit: a.Unit, Indicator: a.Indicator, Reason: a.Reason, Decision: string(a.Decision)}
		if a.Answer != nil {
			ma.Answer = a.Answer.Text
		}
		m.Appeals = append(m.Appeals, ma)
	}
	for unit, xs := range sc.Adjustments {
		for _, x := range xs {
			m.Adjustments = append(m.Adjustments, report.MethodAdjustment{Unit: unit, Kind: string(x.Kind), Points: x.Points, Rule: x.Rule, Basis: x.Basis})
		}
	}
	sort.Slice(m.Adjustments, func(i, j int) bool {
		a, b := m.Adjustments[i], m.Adjustments[j]
		if a.Unit != b.Unit {
			return a.Unit < b.Unit
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Points != b.Points {
			return a.Points < b.Points
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Basis < b.Basis
	})
	return m
}
