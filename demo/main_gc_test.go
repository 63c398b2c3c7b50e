package demo_test

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestMain: the embedded database allocates a great deal, and the suite
// shares two cores; the tests trade some memory for less garbage
// collection (GOGC=400 unless the environment says otherwise).
func TestMain(m *testing.M) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(m.Run())
}
