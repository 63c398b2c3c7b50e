package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"testing"
)

// TestMain: the embedded database allocates a great deal, and the suite
// shares two cores; the tests trade some memory for less garbage
// collection (GOGC=400 unless the environment says otherwise).
//
// With PINGGU_TEST_CHILD set, the test binary is the product itself —
// `pinggu serve` as its own process, for the tests that kill it — so no
// second binary needs building.
func TestMain(m *testing.M) {
	if cmd := os.Getenv("PINGGU_TEST_CHILD"); cmd != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := run(ctx, []string{cmd}, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "pinggu:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(m.Run())
}
