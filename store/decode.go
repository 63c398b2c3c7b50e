package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"pinggu"
)

// responseDecoder reads stored responses straight from their BSON bytes.
// The compile and the export read every response of a round; through the
// driver's reflection, decoding cost more than the scan that fetched them.
// It also shares the short strings that repeat across responses (unit
// codes, question and option codes, channels, flags), so 100k responses do
// not hold 100k copies of "5".
type responseDecoder struct {
	strings map[string]string
}

// Sharing is bounded so that free-text answers and ids, which do not
// repeat, cannot grow the table.
const (
	internMaxLen  = 24
	internMaxSize = 8192
)

func (d *responseDecoder) str(v bsoncore.Value, intern bool) (string, error) {
	b, ok := stringBytes(v)
	if !ok {
		return "", fmt.Errorf("not a string: %s", v.Type)
	}
	if !intern {
		return string(b), nil
	}
	return d.intern(b), nil
}

// intern returns the shared copy of a short string.
func (d *responseDecoder) intern(b []byte) string {
	if len(b) > internMaxLen {
		return string(b)
	}
	if s, ok := d.strings[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.strings) < internMaxSize {
		d.strings[s] = s
	}
	return s
}

// stringBytes is a string value's bytes, without copying them.
func stringBytes(v bsoncore.Value) ([]byte, bool) {
	if v.Type != bsoncore.TypeString || len(v.Data) < 5 {
		return nil, false
	}
	n := int(binary.LittleEndian.Uint32(v.Data))
	if n < 1 || 4+n > len(v.Data) {
		return nil, false
	}
	return v.Data[4 : 4+n-1], true
}

// decode fills r from one responseDoc's bytes; fields it does not know are
// skipped, as the driver would.
func (d *responseDecoder) decode(raw []byte, r *pinggu.Response) error {
	return eachElement(raw, func(key []byte, v bsoncore.Value) (err error) {
		switch string(key) {
		case "sid":
			r.ID, err = d.str(v, false)
		case "round":
			r.Round, err = d.str(v, true)
		case "unit":
			r.Unit, err = d.str(v, true)
		case "questionnaire":
			r.Questionnaire, err = d.str(v, true)
		case "questionnaireVersion":
			n, ok := v.AsInt64OK()
			if !ok {
				return fmt.Errorf("questionnaireVersion: %s", v.Type)
			}
			r.QuestionnaireVersion = int(n)
		case "answers":
			r.Answers, err = d.answers(v)
		case "channel":
			var c string
			c, err = d.str(v, true)
			r.Channel = pinggu.Channel(c)
		case "tag":
			r.Tag, err = d.str(v, true)
		case "device":
			r.Device, err = d.str(v, false)
		case "submittedAt":
			ms, ok := v.DateTimeOK()
			if !ok {
				return fmt.Errorf("submittedAt: %s", v.Type)
			}
			r.SubmittedAt = time.UnixMilli(ms).UTC()
		case "durationMs":
			n, ok := v.AsInt64OK()
			if !ok {
				return fmt.Errorf("durationMs: %s", v.Type)
			}
			r.DurationMs = n
		case "ipHash":
			r.IPHash, err = d.str(v, false)
		case "flags":
			r.Flags, err = d.strs(v)
		}
		return err
	})
}

// answers reads {question: [values]}.
func (d *responseDecoder) answers(v bsoncore.Value) (pinggu.Answers, error) {
	doc, ok := v.DocumentOK()
	if !ok {
		return nil, fmt.Errorf("answers: %s", v.Type)
	}
	a := pinggu.Answers{}
	err := eachElement(doc, func(key []byte, v bsoncore.Value) error {
		var err error
		a[d.intern(key)], err = d.strs(v)
		return err
	})
	return a, err
}

// strs reads an array of strings (null reads as none).
func (d *responseDecoder) strs(v bsoncore.Value) ([]string, error) {
	if v.Type == bsoncore.TypeNull {
		return nil, nil
	}
	arr, ok := v.ArrayOK()
	if !ok {
		return nil, fmt.Errorf("not an array: %s", v.Type)
	}
	out := make([]string, 0, 1) // an empty array reads as empty, as through the driver
	err := eachElement(arr, func(_ []byte, v bsoncore.Value) error {
		s, err := d.str(v, true)
		out = append(out, s)
		return err
	})
	return out, err
}

// eachElement calls fn with each element of a document or array.
func eachElement(doc []byte, fn func(key []byte, v bsoncore.Value) error) error {
	_, rem, ok := bsoncore.ReadLength(doc)
	if !ok {
		return fmt.Errorf("document too short")
	}
	for len(rem) > 1 {
		var e bsoncore.Element
		if e, rem, ok = bsoncore.ReadElement(rem); !ok {
			return fmt.Errorf("malformed element")
		}
		if err := fn(e.KeyBytes(), e.Value()); err != nil {
			return err
		}
	}
	return nil
}
