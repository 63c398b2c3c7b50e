package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/bits"
	"strings"
	"time"

	"pinggu"
)

// MethodFormat names the method file's layout; a reader checks it first.
const MethodFormat = "pinggu-method/1"

// Method is the machine-readable method file every compile and export
// writes (方法说明.json): every constant and input behind the published
// numbers, so that they can be recomputed from the raw export and this
// file alone. Its SHA-256 is the fingerprint printed in 说明 and shared by
// the scorecard and the export of the same inputs.
type Method struct {
	Format        string    `json:"format"`
	Round         string    `json:"round"`
	Title         string    `json:"title"`
	Kind          string    `json:"kind"`
	Timezone      string    `json:"timezone"`
	OpensAt       time.Time `json:"opensAt"`
	ClosesAt      time.Time `json:"closesAt"`
	Final         bool      `json:"final"`
	AsOf          time.Time `json:"asOf"` // the latest input counted; the workbook's 数据截至
	Questionnaire string    `json:"questionnaire"`
	Version       int       `json:"questionnaireVersion"`
	// Scores maps each scale question to its option scores; an option
	// without a score (不清楚) enters no denominator.
	Scores map[string]map[string]float64 `json:"scores"`
	// Dimensions maps each dimension to its scale questions.
	Dimensions map[string][]string `json:"dimensions"`
	// Overall defines a respondent's overall score.
	Overall            pinggu.OverallScore `json:"overall"`
	SatisfiedThreshold float64             `json:"satisfiedThreshold"`
	Z                  float64             `json:"z"`
	ConfidenceLevel    float64             `json:"confidenceLevel"`
	ScaleRange         [2]float64          `json:"scaleRange"`
	MeanInterval       string              `json:"meanInterval"`
	RateInterval       string              `json:"rateInterval"`
	MinSample          int                 `json:"minSample"`
	MinEffective       float64             `json:"minEffective"`
	Precision          map[string]int      `json:"precision"` // decimals published before grading and ranking
	Ranking            string              `json:"ranking"`
	Bootstrap          pinggu.Bootstrap    `json:"bootstrap"`
	BootstrapRNG       string              `json:"bootstrapRng"`
	Weighting          *pinggu.Weighting   `json:"weighting,omitempty"`
	// Weights are, per unit and weighting cell, each respondent's weight.
	Weights map[string]map[string]float64 `json:"weights,omitempty"`
	Units   []MethodUnit                  `json:"units"`
	// Excluded maps each excluded response to the reason.
	Excluded map[string]string `json:"excluded"`
	// Responses counts the export's rows; RowsDigest is Σ SHA-256 of each
	// row's first DigestColumns fields joined by U+001F, mod 2^256 (hex);
	// IDsDigest the same over the response ids.
	Responses     int    `json:"responses"`
	DigestColumns int    `json:"digestColumns"`
	RowsDigest    string `json:"rowsDigest"`
	IDsDigest     string `json:"idsDigest"`
	// Baseline is the comparison round's final result, as used.
	Baseline *Baseline `json:"baseline,omitempty"`
	// Assessment rounds: the settings, the frozen indicator system, every
	// entry and event.
	Assessment      *pinggu.AssessmentSettings              `json:"assessment,omitempty"`
	IndicatorSystem *pinggu.IndicatorSystem                 `json:"indicatorSystem,omitempty"`
	Entries         map[string]map[string]pinggu.InputValue `json:"entries,omitempty"`
	Adjustments     []MethodAdjustment                      `json:"adjustments,omitempty"`
	// Appeals are the units' appeals and their answers (an upheld one's
	// change is already in Entries), in the order filed.
	Appeals []MethodAppeal `json:"appeals,omitempty"`
	// Review is, per unit and leaf, what the workbook shows beside the
	// score: the unit's self-assessment, whether the entry was confirmed
	// and the value a confirmation replaced.
	Review map[string]map[string]MethodReview `json:"review,omitempty"`
}

// MethodUnit is a unit as the ranking saw it.
type MethodUnit struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	PeerGroup string `json:"peerGroup"`
}

// MethodAdjustment is a bonus, deduction or veto event.
type MethodAdjustment struct {
	Unit   string  `json:"unit"`
	Kind   string  `json:"kind"`
	Points float64 `json:"points,omitempty"`
	Rule   string  `json:"rule,omitempty"`
	Basis  string  `json:"basis"`
}

// MethodReview is one leaf's review record.
type MethodReview struct {
	Self      *pinggu.InputValue `json:"self,omitempty"`
	Confirmed bool               `json:"confirmed,omitempty"`
	Was       *pinggu.InputValue `json:"was,omitempty"`
	Returned  string             `json:"returned,omitempty"`
}

// MethodAppeal is one appeal as the method file records it.
type MethodAppeal struct {
	Unit      string `json:"unit"`
	Indicator string `json:"indicator,omitempty"` // empty: the total
	Reason    string `json:"reason"`
	Decision  string `json:"decision,omitempty"` // upheld, rejected; empty while unanswered
	Answer    string `json:"answer,omitempty"`
}

// Encode writes the method file: indented JSON with sorted map keys and no
// HTML escaping, the same bytes for the same inputs.
func (m *Method) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Fingerprint is the SHA-256 of a method file's bytes, in hex.
func Fingerprint(method []byte) string {
	sum := sha256.Sum256(method)
	return hex.EncodeToString(sum[:])
}

// Digest is an order-free hash of a set of rows: the sum modulo 2^256 of
// the SHA-256 of each row's fields joined by U+001F (no field holds it:
// control characters are removed from respondents' text).
type Digest [4]uint64

// Add counts one row.
func (d *Digest) Add(fields []string) {
	h := sha256.Sum256([]byte(strings.Join(fields, "\x1f")))
	var carry uint64
	for i := 3; i >= 0; i-- {
		d[i], carry = bits.Add64(d[i], binary.BigEndian.Uint64(h[i*8:]), carry)
	}
}

// Hex is the digest as 64 hex digits.
func (d *Digest) Hex() string {
	var b [32]byte
	for i, v := range d {
		binary.BigEndian.PutUint64(b[i*8:], v)
	}
	return hex.EncodeToString(b[:])
}
