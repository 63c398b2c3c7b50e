package pinggu

import (
	"fmt"
	"strings"
)

// Strata split every unit's sample by the answers to one to three required
// single-choice questions (e.g. 年龄段 × 性别), each cell with its own
// quota per unit. A cell is enforced like the unit's quota, in the same
// conditional update and under the unit's quota mode: in close mode a full
// cell turns further respondents of that cell away, in open mode they are
// kept and flagged over_quota.
type Strata struct {
	Questions []string `json:"questions" bson:"questions"`
	// Quotas per unit by cell; a cell is the option codes of the questions,
	// in order, joined by "|" (e.g. "2|1"). Cells not listed are not limited.
	Quotas map[string]int `json:"quotas" bson:"quotas"`
}

// Cell is the stratum of answers ("" when a question is unanswered).
func (s *Strata) Cell(a Answers) string {
	parts := make([]string, len(s.Questions))
	for i, q := range s.Questions {
		if len(a[q]) != 1 {
			return ""
		}
		parts[i] = a[q][0]
	}
	return strings.Join(parts, "|")
}

// CellLabel is a cell in option labels, e.g. 18–34岁·女.
func (s *Strata) CellLabel(q *Questionnaire, cell string) string {
	codes := strings.Split(cell, "|")
	for i, c := range codes {
		if i < len(s.Questions) {
			if qq := q.Question(s.Questions[i]); qq != nil {
				if o := qq.Option(c); o != nil {
					codes[i] = o.Label
				}
			}
		}
	}
	return strings.Join(codes, "·")
}

// Describe names a cell in words, e.g. 年龄段为“18–34岁”、性别为“女”.
func (s *Strata) Describe(q *Questionnaire, cell string) string {
	codes := strings.Split(cell, "|")
	parts := make([]string, 0, len(codes))
	for i, c := range codes {
		if i >= len(s.Questions) {
			break
		}
		label := c
		qq := q.Question(s.Questions[i])
		name := s.Questions[i]
		if qq != nil {
			name = qq.Text
			if o := qq.Option(c); o != nil {
				label = o.Label
			}
		}
		parts = append(parts, fmt.Sprintf("%s为“%s”", name, label))
	}
	return strings.Join(parts, "、")
}

// Validate checks the strata against the questionnaire the round uses.
func (s *Strata) Validate(q *Questionnaire, fe FieldErrors) {
	if len(s.Questions) == 0 || len(s.Questions) > 3 {
		fe.Add("strata.questions", "分层须指定1–3道题")
		return
	}
	for _, code := range s.Questions {
		qq := q.Question(code)
		if qq == nil || (qq.Type != Single && qq.Type != Scale) || !qq.Required || qq.ShowIf != nil {
			fe.Add("strata.questions", fmt.Sprintf("分层题%s须为问卷中必答、始终显示的单选题", code))
			return
		}
	}
	for cell, n := range s.Quotas {
		codes := strings.Split(cell, "|")
		ok := len(codes) == len(s.Questions)
		for i := 0; ok && i < len(codes); i++ {
			ok = q.Question(s.Questions[i]).HasOption(codes[i])
		}
		if !ok {
			fe.Add("strata.quotas."+cell, fmt.Sprintf("分层格须为%d道分层题的选项编码，以|连接，如“1|2”", len(s.Questions)))
		} else if n < 0 || n > 1_000_000 {
			fe.Add("strata.quotas."+cell, "样本配额须在0–1000000之间")
		}
	}
}
