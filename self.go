package pinggu

import (
	"fmt"
	"time"
)

// SelfEntry is a unit's self-assessment (自评) of one leaf indicator: the
// value, count or score its rubric takes, an explanation and evidence.
type SelfEntry struct {
	Round     string `json:"round"`
	Unit      string `json:"unit"`
	Indicator string `json:"indicator"`
	InputValue
	Explanation string     `json:"explanation"`
	Evidence    []Evidence `json:"evidence,omitempty"`
	State       EntryState `json:"state"`
	// Return is the assessor's reason when the leaf was returned (退回补充),
	// kept after the unit answers it so the sheet shows what was asked.
	Return *Note     `json:"return,omitempty"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	// Version counts the entry's changes, so two writers cannot both
	// change it from the same reading.
	Version int `json:"version"`
}

// Note is who said what, when.
type Note struct {
	Text string    `json:"text"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// EntryState is where one self-assessed leaf stands.
type EntryState string

// States of a self-assessed leaf.
const (
	EntryDraft     EntryState = "draft"     // saved, not submitted
	EntrySubmitted EntryState = "submitted" // part of a submitted sheet
	EntryReturned  EntryState = "returned"  // sent back to the unit with a reason
	EntryAnswered  EntryState = "answered"  // changed by the unit after a return, not yet resubmitted
)

// SheetState is where a unit's self-assessment stands as a whole, in the
// words the dashboard shows.
type SheetState string

// States of a unit's self-assessment sheet.
const (
	SheetEmpty     SheetState = ""          // 未填报
	SheetDrafting  SheetState = "drafting"  // 填报中
	SheetSubmitted SheetState = "submitted" // 已提交
	SheetReturned  SheetState = "returned"  // 退回补充
	SheetReviewed  SheetState = "reviewed"  // 已初审: every leaf has a reviewer's entry
	SheetConfirmed SheetState = "confirmed" // 已复核: every entry confirmed by a second assessor
)

// SheetStateLabel is the state in the words of the UI.
func SheetStateLabel(s SheetState) string {
	return map[SheetState]string{SheetEmpty: "未填报", SheetDrafting: "填报中", SheetSubmitted: "已提交",
		SheetReturned: "退回补充", SheetReviewed: "已初审", SheetConfirmed: "已复核"}[s]
}

// EntryStateLabel is the state of a leaf in the words of the UI.
func EntryStateLabel(s EntryState) string {
	return map[EntryState]string{EntryDraft: "草稿", EntrySubmitted: "已提交", EntryReturned: "退回补充",
		EntryAnswered: "已补充"}[s]
}

// SelfSheet is a unit's self-assessment as a whole.
type SelfSheet struct {
	Round       string     `json:"round"`
	Unit        string     `json:"unit"`
	State       SheetState `json:"state"`
	SubmittedBy string     `json:"submittedBy,omitempty"`
	SubmittedAt time.Time  `json:"submittedAt,omitzero"`
	// Version counts the sheet's changes, so two writers cannot both
	// change it from the same reading.
	Version int `json:"version"`
}

// Selfable reports whether units assess the leaf themselves: every leaf
// but those computed from the satisfaction survey.
func (in *Indicator) Selfable() bool { return in.Rubric != "" && in.Rubric != RubricSurvey }

// Leaves are the system's leaf indicators, in tree order.
func (s *IndicatorSystem) Leaves() []Indicator {
	children := s.Children()
	var out []Indicator
	for _, in := range s.Indicators {
		if len(children[in.Code]) == 0 {
			out = append(out, in)
		}
	}
	return out
}

// EnteredLeaves are the leaves a unit of type t is assessed on by entries
// — its self-assessment and the reviewers': those that apply to it, but
// for the ones computed from the survey.
func (s *IndicatorSystem) EnteredLeaves(t UnitType) []Indicator {
	var out []Indicator
	for _, in := range s.Leaves() {
		if in.Applies(t) && in.Selfable() {
			out = append(out, in)
		}
	}
	return out
}

// CheckSelf validates a self-assessment of a leaf: the value its rubric
// takes and an explanation of at most 2000 characters.
func (e *SelfEntry) CheckSelf(in *Indicator) error {
	fe := FieldErrors{}
	v := e.InputValue
	v.Comment = ""
	if err := v.Check(in); err != nil {
		for k, msg := range ErrorFields(err) {
			fe.Add(k, msg)
		}
	}
	checkText(fe, "explanation", e.Explanation, 2000, false)
	return fe.Err(fmt.Sprintf("指标%s「%s」的自评有误", in.Code, in.Name))
}
