package server_test

import (
	"strings"
	"testing"
)

// TestLinksFollowAccess: the top bar offers each role exactly the parts of
// the console its routes admit, and following each offered link works.
func TestLinksFollowAccess(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seed()
	links := []string{"/admin/reports", "/admin/plans", "/admin/units", "/admin/questionnaires", "/admin/indicator-systems", "/admin/audit"}
	for _, c := range []struct {
		role, unit string
		offered    int // how many of links, in order, the role gets
	}{
		{"admin", "", 6}, {"assessor", "", 2}, {"reporter", "chongchuan", 0},
	} {
		b := newHarnessSharing(t, h) // its own cookies
		b.addUser("u-"+c.role, c.role, c.unit)
		b.signIn("u-"+c.role, "correct-horse-1")
		home := string(b.get("/admin").body)
		for i, l := range links {
			shown := strings.Contains(home, `href="`+l+`"`)
			if shown != (i < c.offered) {
				t.Errorf("%s: link %s shown %v", c.role, l, shown)
			}
			if status := b.get(l).status; (status == 200) != (i < c.offered) {
				t.Errorf("%s: %s answers %d", c.role, l, status)
			}
		}
	}
}
