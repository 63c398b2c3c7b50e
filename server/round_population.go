package server

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pinggu"
)

// The round editor's population settings — weighting by the population's
// make-up and quotas per stratum — as tables of the questionnaire's own
// single-choice questions and options, instead of JSON keyed by codes. A
// table follows the questions ticked; 更新表格 redraws it without saving.

// cellRow is one cell (or one option, for margins) and what was typed for it.
type cellRow struct{ Key, Label, Value string }

// marginRow is one question's options with their population shares.
type marginRow struct {
	Question, Text string
	Options        []cellRow
}

// populationFields are the weighting's and the strata's inputs.
type populationFields struct {
	Choices          []pinggu.Question // the single-choice questions that may split the sample
	Method           string            // "" (none), cells or raking
	WeightQuestions  map[string]bool
	Shares           []cellRow
	Margins          []marginRow
	TrimMin, TrimMax string
	StrataQuestions  map[string]bool
	Quotas           []cellRow
}

// choices are the questions a sample may be split by.
func choices(q *pinggu.Questionnaire) []pinggu.Question {
	var out []pinggu.Question
	if q == nil {
		return nil
	}
	for _, qq := range q.Questions {
		if qq.Type == pinggu.Single && qq.ShowIf == nil {
			out = append(out, qq)
		}
	}
	return out
}

// cells is the cross-classification of the chosen questions' options, in
// questionnaire order: keys "1|2" and labels 男·18–29岁.
func cells(q *pinggu.Questionnaire, chosen []string) []cellRow {
	if len(chosen) == 0 {
		return nil
	}
	rows := []cellRow{{}}
	for i, code := range chosen {
		qq := q.Question(code)
		if qq == nil {
			return nil
		}
		var next []cellRow
		for _, r := range rows {
			for _, o := range qq.Options {
				if i == 0 {
					next = append(next, cellRow{Key: o.Code, Label: o.Label})
				} else {
					next = append(next, cellRow{Key: r.Key + "|" + o.Code, Label: r.Label + "·" + o.Label})
				}
			}
		}
		rows = next
	}
	return rows
}

// ordered lists the ticked questions in questionnaire order.
func ordered(q *pinggu.Questionnaire, ticked map[string]bool) []string {
	var out []string
	for _, qq := range choices(q) {
		if ticked[qq.Code] {
			out = append(out, qq.Code)
		}
	}
	return out
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// fillPopulation draws the tables from the round's settings.
func (f *roundForm) fillPopulation(q *pinggu.Questionnaire) {
	r := &f.Round
	p := populationFields{Choices: choices(q), WeightQuestions: map[string]bool{}, StrataQuestions: map[string]bool{}, TrimMin: "0.3", TrimMax: "3"}
	if w := r.Scoring.Weighting; w != nil {
		p.Method = w.Method
		if p.Method == "" {
			p.Method = pinggu.WeightCells
		}
		for _, c := range w.Cells {
			p.WeightQuestions[c] = true
		}
		t := w.TrimOrDefault()
		p.TrimMin, p.TrimMax = num(t.Min), num(t.Max)
	}
	if s := r.Strata; s != nil {
		for _, c := range s.Questions {
			p.StrataQuestions[c] = true
		}
	}
	f.Pop = p
	if q == nil {
		return
	}
	f.drawTables(q, func(key string) string {
		if w := r.Scoring.Weighting; w != nil && w.Shares[key] > 0 {
			return num(w.Shares[key])
		}
		return ""
	}, func(question, option string) string {
		if w := r.Scoring.Weighting; w != nil && w.Margins[question] != nil {
			if v, ok := w.Margins[question][option]; ok {
				return num(v)
			}
		}
		return ""
	}, func(key string) string {
		if s := r.Strata; s != nil && s.Quotas[key] > 0 {
			return strconv.Itoa(s.Quotas[key])
		}
		return ""
	})
}

// drawTables lays out the share, margin and quota tables for the ticked
// questions, each value from its function.
func (f *roundForm) drawTables(q *pinggu.Questionnaire, share func(string) string, margin func(string, string) string, quota func(string) string) {
	p := &f.Pop
	p.Shares, p.Margins, p.Quotas = nil, nil, nil
	weighted := ordered(q, p.WeightQuestions)
	if p.Method == pinggu.WeightRaking {
		for _, code := range weighted {
			qq := q.Question(code)
			m := marginRow{Question: code, Text: qq.Text}
			for _, o := range qq.Options {
				m.Options = append(m.Options, cellRow{Key: o.Code, Label: o.Label, Value: margin(code, o.Code)})
			}
			p.Margins = append(p.Margins, m)
		}
	} else if p.Method != "" {
		for _, c := range cells(q, weighted) {
			c.Value = share(c.Key)
			p.Shares = append(p.Shares, c)
		}
	}
	for _, c := range cells(q, ordered(q, p.StrataQuestions)) {
		c.Value = quota(c.Key)
		p.Quotas = append(p.Quotas, c)
	}
}

// readPopulation takes the tables into the round: blank cells are left
// out (a cell without a share is not weighted, one without a quota not
// limited), numbers that are none are named.
func (f *roundForm) readPopulation(c echo.Context, fe pinggu.FieldErrors, q *pinggu.Questionnaire) {
	r := &f.Round
	form, _ := c.FormParams()
	p := populationFields{Choices: choices(q), Method: c.FormValue("weighting"), WeightQuestions: map[string]bool{},
		StrataQuestions: map[string]bool{}, TrimMin: c.FormValue("trimMin"), TrimMax: c.FormValue("trimMax")}
	for _, code := range form["wcells"] {
		p.WeightQuestions[code] = true
	}
	for _, code := range form["scells"] {
		p.StrataQuestions[code] = true
	}
	f.Pop = p
	r.Scoring.Weighting, r.Strata = nil, nil
	if q == nil {
		return
	}
	value := func(name string) string { return strings.TrimSpace(c.FormValue(name)) }
	f.drawTables(q, func(key string) string { return value("share." + key) },
		func(question, option string) string { return value("margin." + question + "." + option) },
		func(key string) string { return value("stratum." + key) })
	real := func(field, text string) (float64, bool) { return formNumber(fe, field, text) }
	if weighted := ordered(q, f.Pop.WeightQuestions); f.Pop.Method != "" {
		w := &pinggu.Weighting{Method: f.Pop.Method, Cells: weighted}
		if w.Raking() {
			w.Margins = map[string]map[string]float64{}
			for _, m := range f.Pop.Margins {
				w.Margins[m.Question] = map[string]float64{}
				for _, o := range m.Options {
					if x, ok := real("scoring.weighting.margins."+m.Question, o.Value); ok {
						w.Margins[m.Question][o.Key] = x
					}
				}
			}
			lo, okLo := real("scoring.weighting.trim", f.Pop.TrimMin)
			hi, okHi := real("scoring.weighting.trim", f.Pop.TrimMax)
			if okLo && okHi {
				w.Trim = &pinggu.Trim{Min: lo, Max: hi}
			}
		} else {
			w.Shares = map[string]float64{}
			for _, s := range f.Pop.Shares {
				if x, ok := real("scoring.weighting.shares", s.Value); ok {
					w.Shares[s.Key] = x
				}
			}
		}
		r.Scoring.Weighting = w
	}
	if questions := ordered(q, f.Pop.StrataQuestions); len(questions) > 0 {
		st := &pinggu.Strata{Questions: questions, Quotas: map[string]int{}}
		for _, s := range f.Pop.Quotas {
			if x, ok := real("strata.quotas", s.Value); ok {
				st.Quotas[s.Key] = int(x)
			}
		}
		r.Strata = st
	}
}
