package pinggu

import (
	"fmt"
	"time"
)

// Appeal is a unit's appeal (申诉) against its provisional result, on one
// leaf or (Indicator empty) on its total, with reasons and evidence, and
// the assessors' answer.
type Appeal struct {
	ID        string     `json:"id"`
	Round     string     `json:"round"`
	Unit      string     `json:"unit"`
	Indicator string     `json:"indicator,omitempty"`
	Reason    string     `json:"reason"`
	Evidence  []Evidence `json:"evidence,omitempty"`
	By        string     `json:"by"`
	At        time.Time  `json:"at"`
	// Decision is empty until answered: upheld (the entry was changed) or
	// rejected, always with reasons.
	Decision Decision `json:"decision,omitempty"`
	Answer   *Note    `json:"answer,omitempty"`
	// Change is the entry as changed by an upheld appeal on a leaf.
	Change  *InputChange `json:"change,omitempty"`
	Version int          `json:"version"`
}

// Decision is the answer to an appeal.
type Decision string

// Answers to appeals.
const (
	Upheld   Decision = "upheld"
	Rejected Decision = "rejected"
)

// DecisionLabel is the answer in the words of the UI.
func DecisionLabel(d Decision) string {
	return map[Decision]string{"": "待处理", Upheld: "申诉成立", Rejected: "申诉不成立"}[d]
}

// OpenAppealsError is the refusal of a final compile while appeals are
// unanswered (nil when none is), listing each by its unit (named by
// names) and leaf, with when it was filed in the round's zone.
func OpenAppealsError(as []Appeal, names map[string]string, loc *time.Location) error {
	fe := FieldErrors{}
	for _, a := range as {
		if a.Decision != "" {
			continue
		}
		on := "总分"
		if a.Indicator != "" {
			on = "指标" + a.Indicator
		}
		fe.Add("appeal "+a.ID, fmt.Sprintf("%s对%s的申诉（%s提出）尚未答复", names[a.Unit], on, a.At.In(loc).Format("1月2日 15:04")))
	}
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: Conflict, Fields: fe, Message: fmt.Sprintf("还有%d项申诉尚未答复，不能生成最终结果", len(fe))}
}
