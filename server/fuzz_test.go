package server

import (
	"encoding/json"
	"strings"
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

// FuzzReadJSONLines: any body either fails as a whole with a clear error or
// yields one row per non-blank line, each with answers or a problem.
func FuzzReadJSONLines(f *testing.F) {
	for _, seed := range []string{"{\"respondent\":\"F1\",\"answers\":{\"Q1\":\"5\"}}\n", "not json\n\n{}", "{\"respondent\":1}",
		"{\"respondent\":\"F2\",\"answers\":{\"Q1\":{\"$gt\":\"\"}}}", "\n\n", "{\"answers\":{}}\n{\"x\":1}"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rows, err := readJSONLines(strings.NewReader(body))
		if err != nil {
			if pinggu.ErrorMessage(err) == "" {
				t.Fatalf("error without a message: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Row < 1 || (r.Problem != "" && len(r.Answers) > 0) {
				t.Fatalf("row %+v", r)
			}
			for _, vals := range r.Answers {
				for _, v := range vals {
					if strings.HasPrefix(v, "{") && strings.Contains(v, "$") {
						t.Fatalf("an operator object became an answer: %q", v)
					}
				}
			}
		}
	})
}
