package pinggu

import "fmt"

// Rows read from the spreadsheets offices keep, each with the sheet row it
// came from so that every problem can be named by its row. The readers in
// package report produce them; the services take them.

// UnitRow is a unit read from a unit list.
type UnitRow struct {
	Row  int
	Unit Unit
}

// TaskRow is a task read from a 任务分工方案 sheet.
type TaskRow struct {
	Row  int
	Task PlanTask
}

// DataRow is one unit's objective data (客观数据) from a sheet with one
// column per indicator: the unit as written and each non-empty cell by its
// column's header.
type DataRow struct {
	Row   int
	Unit  string
	Cells map[string]string // header → cell
}

// ResponseRow is one respondent's answers from an offline import (a sheet,
// a CSV or a JSON line).
type ResponseRow struct {
	Row        int
	Respondent string
	Answers    Answers
	// Problem is why the row could not be read at all (a JSON line that
	// does not parse); such a row is reported, never stored.
	Problem string
}

// ResponseRowError is what is wrong with one answer of an imported row.
type ResponseRowError struct {
	Row        int    `json:"row"`
	Respondent string `json:"respondent"`
	Field      string `json:"field"`
	Message    string `json:"message"`
}

func (e ResponseRowError) String() string {
	return fmt.Sprintf("第%d行 %s：%s", e.Row, e.Field, e.Message)
}
