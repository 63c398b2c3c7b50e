// Package storetest opens a fresh embedded store for a test.
package storetest

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"pinggu/store"
)

// New starts an embedded FerretDB in a temporary directory and closes it
// when the test ends. It starts in milliseconds, so every test gets its own.
func New(tb testing.TB) *store.Store {
	tb.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	s, err := store.Open(ctx, store.Config{DataDir: tb.TempDir(), Logger: logger})
	if err != nil {
		tb.Fatalf("open embedded store: %v", err)
	}
	tb.Cleanup(func() { s.Close(context.Background()) })
	return s
}
