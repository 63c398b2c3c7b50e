package store

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
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
