// Package pinggu holds the domain of the Pinggu evaluation platform: units,
// questionnaires, rounds and responses, their validation, and the error type
// every layer speaks. It imports nothing but the standard library.
package pinggu

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Code classifies an error; the HTTP layer maps each code to one status.
type Code string

// Error codes. Keep the list short: each must mean something different to a client.
const (
	Invalid      Code = "invalid"      // well-formed input that breaks a rule (422)
	Malformed    Code = "malformed"    // input that cannot be parsed at all (400)
	NotFound     Code = "not_found"    // no such object (404)
	Conflict     Code = "conflict"     // the object exists or changed meanwhile (409)
	Closed       Code = "closed"       // the round no longer accepts answers (410)
	TooLarge     Code = "too_large"    // body over the limit (413)
	Unauthorized Code = "unauthorized" // no or bad credentials (401)
	Forbidden    Code = "forbidden"    // credentials without the right (403)
	Unavailable  Code = "unavailable"  // a backend does not answer (503)
	Internal     Code = "internal"     // a bug or an unexpected failure (500)
	NotYetOpen   Code = "not_yet_open" // the round opens later (shown as a page, 200)
	QuotaFull    Code = "quota_full"   // the unit's sample is complete (409)
)

// Error is the one error type of the domain. Message is safe to show to the
// user; Err is the cause, logged but never shown. An error from the store
// has no Message but an Object (and a Reason), from which ErrorMessage
// makes the words.
type Error struct {
	Code    Code
	Message string
	Fields  FieldErrors
	// Rows are the problems of an uploaded sheet by row number (Fields
	// names them too, as "第N行", for API clients).
	Rows   RowErrors
	Object *Object
	Reason Reason
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if m := e.message(); m != "" {
		b.WriteString(": " + m)
	}
	if len(e.Fields) > 0 {
		b.WriteString(" (" + e.Fields.String() + ")")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error with a formatted, user-facing message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap keeps cause as the logged reason of an error with the given code.
func Wrap(code Code, cause error, message string) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// ErrorCode returns the code of err: "" for no error, Internal for errors
// of other types.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorFields returns the per-field messages of err, if any.
func ErrorFields(err error) FieldErrors {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// ErrorRows returns the per-row problems of an uploaded sheet in err, if any.
func ErrorRows(err error) RowErrors {
	var e *Error
	if errors.As(err, &e) {
		return e.Rows
	}
	return nil
}

// ErrorMessage returns the user-facing message of err; internal details stay hidden.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		if m := e.message(); m != "" {
			return m
		}
	}
	return "服务器内部错误，请稍后重试"
}

// FieldErrors maps a field path (a question code, or "questions[2].code") to
// what is wrong with it, in words a user understands.
type FieldErrors map[string]string

// Add records the first problem found for a field.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when there are no field errors, else an Invalid error.
func (f FieldErrors) Err(message string) error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: message, Fields: f}
}

func (f FieldErrors) String() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + f[k]
	}
	return strings.Join(parts, "; ")
}

// RowError is what is wrong with one row of an uploaded sheet. Row 0 is the
// sheet as a whole (its header); Field, when set, narrows a row's problem
// to one of its fields ("points").
type RowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// RowErrors lists the problems of an uploaded sheet.
type RowErrors []RowError

// Add records a row's problem; the first problem of a row and field counts
// (problems come row by row, so only the latest row's are looked at).
func (r *RowErrors) Add(row int, field, msg string) {
	for i := len(*r) - 1; i >= 0 && (*r)[i].Row == row; i-- {
		if (*r)[i].Field == field {
			return
		}
	}
	*r = append(*r, RowError{Row: row, Field: field, Message: msg})
}

// Sheet reports whether a problem concerns the whole sheet (its header).
func (r RowErrors) Sheet() bool {
	return slices.ContainsFunc(r, func(e RowError) bool { return e.Row == 0 })
}

// Sorted returns the problems by row, then field.
func (r RowErrors) Sorted() RowErrors {
	out := slices.Clone(r)
	slices.SortStableFunc(out, func(a, b RowError) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return strings.Compare(a.Field, b.Field)
	})
	return out
}

// Fields names each problem as the API always has: "第N行" (with
// ".field"), and the sheet's own problems under their field ("表头").
func (r RowErrors) Fields() FieldErrors {
	fe := FieldErrors{}
	for _, e := range r {
		fe.Add(e.Place(), e.Message)
	}
	return fe
}

// Place names where the problem is as people read it: "第5行", "第5行.points",
// or the sheet's own field ("表头").
func (e RowError) Place() string {
	if e.Row == 0 {
		return e.Field
	}
	place := fmt.Sprintf("第%d行", e.Row)
	if e.Field != "" {
		place += "." + e.Field
	}
	return place
}

// Err returns nil without problems, else an Invalid error carrying them.
func (r RowErrors) Err(message string) error {
	if len(r) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: message, Fields: r.Fields(), Rows: r.Sorted()}
}
