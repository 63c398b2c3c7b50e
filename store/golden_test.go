package store

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// goldenDocs are every document kind the store writes. Each is filled with
// a value in every field (nested domain types too), so a Go rename that
// would orphan stored data changes its bytes.
func goldenDocs() map[string]any {
	return map[string]any{
		"audit": &auditDoc{}, "exclusion": &exclusionDoc{}, "flagged": &flaggedDoc{},
		"indicatorSystem": &indicatorSystemDoc{}, "input": &inputDoc{}, "adjustment": &adjustmentDoc{},
		"plan": &planDoc{}, "task": &taskDoc{}, "progress": &progressDoc{}, "questionnaire": &questionnaireDoc{},
		"report": &reportDoc{}, "job": &jobDoc{}, "response": &responseDoc{}, "round": &roundDoc{},
		"tally": &tallyDoc{}, "unit": &unitDoc{}, "user": &userDoc{}, "session": &sessionDoc{}, "apiToken": &apiTokenDoc{},
		"selfEntry": &selfEntryDoc{}, "selfSheet": &selfSheetDoc{}, "appeal": &appealDoc{}, "rectification": &rectificationDoc{},
	}
}

var goldenTime = time.Date(2024, 10, 1, 9, 30, 0, 0, time.UTC)

// fill sets every field reachable from v to a value named after it; a
// pointer to a type already being filled (Change.Rate) is filled once more
// and then left nil.
func fill(v reflect.Value, name string) { fillIn(v, name, map[reflect.Type]int{}) }

func fillIn(v reflect.Value, name string, open map[reflect.Type]int) {
	fill := func(v reflect.Value, name string) { fillIn(v, name, open) }
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type() == reflect.TypeOf(&time.Time{}) {
			v.Set(reflect.ValueOf(&goldenTime))
			return
		}
		if open[v.Type()] > 1 {
			return
		}
		open[v.Type()]++
		defer func() { open[v.Type()]-- }()
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), name)
	case reflect.Struct:
		switch v.Type() {
		case reflect.TypeOf(time.Time{}):
			v.Set(reflect.ValueOf(goldenTime))
			return
		case reflect.TypeOf(bson.ObjectID{}):
			id, _ := bson.ObjectIDFromHex("65f000000000000000000001")
			v.Set(reflect.ValueOf(id))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				fill(v.Field(i), f.Name)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(name))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), name)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, name+"Key")
		fill(e, name)
		v.SetMapIndex(k, e)
	case reflect.String:
		v.SetString(name)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint64, reflect.Uint32:
		v.SetUint(9)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Interface:
		v.Set(reflect.ValueOf(name))
	}
}

func extJSON(t *testing.T, doc any) []byte {
	t.Helper()
	b, err := bson.MarshalExtJSON(doc, true, false)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	return append(out.Bytes(), '\n')
}

// TestStoredNamesAreStable compares every document kind with its committed
// fixture (testdata/golden/*.json, canonical extended JSON) and reads each
// fixture back: a renamed Go field or bson name fails here instead of
// silently orphaning what is stored. PINGGU_UPDATE_GOLDEN=1 rewrites the
// fixtures after a deliberate change (with a migration).
func TestStoredNamesAreStable(t *testing.T) {
	t.Parallel()
	for name, doc := range goldenDocs() {
		t.Run(name, func(t *testing.T) {
			fill(reflect.ValueOf(doc).Elem(), name)
			got := extJSON(t, doc)
			path := filepath.Join("testdata", "golden", name+".json")
			if os.Getenv("PINGGU_UPDATE_GOLDEN") == "1" {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("no fixture for %s (run with PINGGU_UPDATE_GOLDEN=1 once): %v", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s is stored differently from its fixture %s:\n%s", name, path, got)
			}
			// Stored data decodes into today's types with nothing lost.
			back := reflect.New(reflect.TypeOf(doc).Elem()).Interface()
			if err := bson.UnmarshalExtJSON(want, true, back); err != nil {
				t.Fatal(err)
			}
			if again := extJSON(t, back); !bytes.Equal(again, want) {
				t.Fatalf("%s does not read back whole:\n%s", name, again)
			}
		})
	}
}
