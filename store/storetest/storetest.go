// Package storetest opens a fresh embedded store for a test.
package storetest

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"pinggu/store"
)

// New starts an embedded FerretDB in a fresh data folder (see Dir) and
// closes it when the test ends. It starts in milliseconds, so every test
// gets its own.
func New(tb testing.TB) *store.Store {
	tb.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	s, err := store.Open(ctx, store.Config{DataDir: Dir(tb), Logger: logger})
	if err != nil {
		tb.Fatalf("open embedded store: %v", err)
	}
	tb.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// Dir is a fresh data folder for a test, removed when it ends: on a RAM
// disk (/dev/shm) where the machine has one. The code is the same — every
// commit is still synced — but a sync there costs nothing, and the tests'
// thousands of commits no longer wait on the disk. A benchmark gets the
// disk: it measures what the product costs where it runs.
func Dir(tb testing.TB) string {
	tb.Helper()
	if _, bench := tb.(*testing.B); bench {
		return tb.TempDir()
	}
	base := ""
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, "pinggu-test-")
	if err != nil {
		return tb.TempDir()
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
