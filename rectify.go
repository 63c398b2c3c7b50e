package pinggu

import "time"

// Rectification is one item to put right (整改) after an assessment: a
// leaf that lost points, or a finding an administrator entered (督察, 审计,
// 群众投诉 …), with the unit responsible and a deadline. The unit reports
// measures and progress with evidence; an assessor accepts a report,
// returns it, or closes the item (销号).
type Rectification struct {
	ID        string       `json:"id"`
	Round     string       `json:"round"`
	Unit      string       `json:"unit"`
	Source    string       `json:"source"`              // lostPoints or finding
	Indicator string       `json:"indicator,omitempty"` // the leaf that lost points
	Finding   string       `json:"finding"`             // what is to be put right
	Deadline  Date         `json:"deadline"`
	Status    RectStatus   `json:"status"`
	Reports   []RectReport `json:"reports,omitempty"`
	// Review is the assessor's last word (a return's reason, a closing note).
	Review    *Note     `json:"review,omitempty"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	Version   int       `json:"version"`
}

// Sources of rectification items.
const (
	RectLostPoints = "lostPoints"
	RectFinding    = "finding"
)

// RectReport is a unit's report on a rectification item.
type RectReport struct {
	Text     string     `json:"text"`
	Evidence []Evidence `json:"evidence,omitempty"`
	By       string     `json:"by"`
	At       time.Time  `json:"at"`
}

// RectStatus is where a rectification item stands.
type RectStatus string

// States of a rectification item.
const (
	RectOpen     RectStatus = "open"     // 整改中
	RectReported RectStatus = "reported" // 已报送, awaiting review
	RectReturned RectStatus = "returned" // 退回
	RectAccepted RectStatus = "accepted" // 已认可, not yet closed
	RectClosed   RectStatus = "closed"   // 已销号
)

// RectStatusLabel is the state in the words of the UI.
func RectStatusLabel(s RectStatus) string {
	return map[RectStatus]string{RectOpen: "整改中", RectReported: "已报送", RectReturned: "退回", RectAccepted: "已认可", RectClosed: "已销号"}[s]
}

// DaysOverdue is how many days past its deadline an item not yet closed
// is on the given day (0 when closed or not yet due).
func (r *Rectification) DaysOverdue(today Date) int {
	if r.Status == RectClosed || !r.Deadline.Valid() || !today.Valid() {
		return 0
	}
	return max(0, int(today.Time().Sub(r.Deadline.Time())/(24*time.Hour)))
}

// DefaultRectifyLoss is the share of a leaf's points it must lose to
// become a rectification item; DefaultRectifyDays the deadline after the
// final result.
const (
	DefaultRectifyLoss = 0.2
	DefaultRectifyDays = 90
)
