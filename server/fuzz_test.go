package server

import (
	"encoding/json"
	"testing"

	"pinggu"
)

// FuzzDecodeAnswers: JSON answers in any shape decode to strings or are
// refused with the question named; never a panic, never an operator.
func FuzzDecodeAnswers(f *testing.F) {
	for _, seed := range []string{`{"Q1":"5"}`, `{"Q13":["1","3"]}`, `{"Q15":7}`, `{"Q1":{"$gt":""}}`, `{"Q1":null}`, `{"Q1":[{"$ne":1}]}`, `{"Q1":1e400}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var raw map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &raw) != nil {
			return
		}
		a, err := decodeAnswers(raw)
		if err != nil {
			if pinggu.ErrorCode(err) != pinggu.Malformed || len(pinggu.ErrorFields(err)) == 0 {
				t.Fatalf("error without fields: %v", err)
			}
			return
		}
		for code := range a {
			if _, ok := raw[code]; !ok {
				t.Fatalf("answer %q appeared from nowhere", code)
			}
		}
	})
}
