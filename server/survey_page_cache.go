package server

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"

	"pinggu/survey"
)

// pageCache keeps each unit's fresh survey page rendered once, with
// markers where a request's own values go (submission id, issue stamp,
// channel, source tag, invitation code): a page then costs a replacement
// over its bytes instead of a template run. Entries are keyed by what the
// page shows — round, unit and questionnaire version with their update
// times — and live FormCacheTTL, as the forms they come from do.
type pageCache struct {
	mu      sync.Mutex
	pages   map[string]cachedPage
	markers [5]string // sid, stamp, channel, tag, code
}

type cachedPage struct {
	body    []byte
	expires time.Time
}

func newPageCache() *pageCache {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	salt := hex.EncodeToString(b) // so no questionnaire text can hold a marker
	pc := &pageCache{pages: map[string]cachedPage{}}
	for i, name := range []string{"sid", "stamp", "channel", "tag", "code"} {
		pc.markers[i] = "pgmark" + name + salt
	}
	return pc
}

func pageKey(f *survey.Form, withTag, withCode, big bool) string {
	return fmt.Sprintf("%s/%s/%d/%d/%d/%t/%t/%t", f.Round.Code, f.Unit.Code, f.Questionnaire.Version,
		f.Round.UpdatedAt.UnixNano(), f.Unit.UpdatedAt.UnixNano(), withTag, withCode, big)
}

// page returns the fresh page for p's values, rendering the unit's page
// with markers when no fresh copy is kept.
func (pc *pageCache) page(key string, now time.Time, p *surveyPage, render func(*surveyPage) ([]byte, error)) ([]byte, error) {
	pc.mu.Lock()
	cp, ok := pc.pages[key]
	pc.mu.Unlock()
	if !ok || now.After(cp.expires) {
		marked := *p
		marked.SID, marked.Stamp, marked.Channel = pc.markers[0], pc.markers[1], pc.markers[2]
		if p.Tag != "" {
			marked.Tag = pc.markers[3]
		}
		if p.Code != "" {
			marked.Code = pc.markers[4]
		}
		body, err := render(&marked)
		if err != nil {
			return nil, err
		}
		cp = cachedPage{body: body, expires: now.Add(survey.FormCacheTTL)}
		pc.mu.Lock()
		if len(pc.pages) > 10000 { // a bound, not a policy: start afresh
			pc.pages = map[string]cachedPage{}
		}
		pc.pages[key] = cp
		pc.mu.Unlock()
	}
	r := strings.NewReplacer(pc.markers[0], html.EscapeString(p.SID), pc.markers[1], html.EscapeString(p.Stamp),
		pc.markers[2], html.EscapeString(p.Channel), pc.markers[3], html.EscapeString(p.Tag), pc.markers[4], html.EscapeString(p.Code))
	var buf bytes.Buffer
	buf.Grow(len(cp.body) + 64)
	if _, err := r.WriteString(&buf, string(cp.body)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
