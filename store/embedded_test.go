package store

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// The embedded database holds its data folder: a second store on the same
// folder is refused until the first closes. It listens on a Unix socket in
// a directory only this user may enter, and on no TCP port.
func TestEmbeddedIsLockedAndPrivate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	first, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, Config{DataDir: dir}); !errors.Is(err, ErrDataInUse) {
		t.Fatalf("a second store on the folder: %v", err)
	}
	e := first.embedded
	info, err := os.Stat(e.sockDir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("socket directory %s: %v %v", e.sockDir, info.Mode(), err)
	}
	if !strings.Contains(e.uri, "%2F") || strings.Contains(e.uri, "127.0.0.1") {
		t.Fatalf("uri %s is not a socket", e.uri)
	}
	if c, err := net.Dial("unix", e.sockDir+"/ferretdb.sock"); err != nil {
		t.Fatalf("the socket does not answer: %v", err)
	} else {
		c.Close()
	}
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.sockDir); !os.IsNotExist(err) {
		t.Fatalf("socket directory left behind: %v", err)
	}
	again, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	again.Close(ctx)
}

// A database killed without cleaning up leaves its socket directory; the
// next start clears it, and leaves a live one alone.
func TestDeadSocketDirectoriesAreCleared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	live, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close(ctx)
	dead, err := os.MkdirTemp("", "pinggu-db-")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", dead+"/ferretdb.sock")
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // the socket file stays, nothing listens: as after a kill
	long := time.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(dead, long, long); err != nil {
		t.Fatal(err)
	}
	young, err := os.MkdirTemp("", "pinggu-db-") // as a database just starting
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(young)
	other, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Fatalf("a dead socket directory was left: %v", err)
	}
	if _, err := os.Stat(live.embedded.sockDir); err != nil {
		t.Fatalf("a live socket directory was removed: %v", err)
	}
	if _, err := os.Stat(young); err != nil {
		t.Fatalf("a starting database's directory was removed: %v", err)
	}
}
