package pinggu_test

import (
	"errors"
	"fmt"
	"testing"

	"pinggu"
)

func TestErrorCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want pinggu.Code
	}{
		{nil, ""},
		{errors.New("boom"), pinggu.Internal},
		{pinggu.Errorf(pinggu.Conflict, "x"), pinggu.Conflict},
		{fmt.Errorf("wrapped: %w", pinggu.Errorf(pinggu.NotFound, "x")), pinggu.NotFound},
	} {
		if got := pinggu.ErrorCode(c.err); got != c.want {
			t.Errorf("ErrorCode(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
