package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// embedded is a FerretDB running in this process, so the zero-setup mode
// uses the same driver code path as production. It listens on a Unix
// socket in a directory only this user can enter (no TCP port: no other
// local user can read or write the data), and holds an exclusive lock on
// its data folder, so a second process cannot open the same SQLite files.
type embedded struct {
	dir     string
	uri     string
	sockDir string
	lock    *os.File
	cancel  context.CancelFunc
	done    chan struct{}
}

// ferretdbNew serializes ferretdb.New, which writes a package variable of
// FerretDB's own: two stores opened at once in one process (the tests)
// would race on it.
var ferretdbNew sync.Mutex

// ErrDataInUse is the error of a data folder another process has open.
var ErrDataInUse = errors.New("the data folder is in use by another pinggu process")

func startEmbedded(dir string, logger *slog.Logger) (*embedded, error) {
	if dir == "" {
		dir = "data"
	}
	abs, err := filepath.Abs(filepath.Join(dir, "ferretdb"))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, err
	}
	e := &embedded{dir: abs, done: make(chan struct{})}
	started := false
	defer func() {
		if !started {
			e.release()
		}
	}()
	if e.lock, err = os.OpenFile(filepath.Join(abs, ".lock"), os.O_CREATE|os.O_RDWR, 0o600); err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(e.lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		e.lock.Close()
		e.lock = nil
		return nil, fmt.Errorf("%w (%s): %v", ErrDataInUse, abs, err)
	}
	// MkdirTemp makes the directory 0700; the path stays short enough for
	// a socket address.
	removeDeadSockets()
	if e.sockDir, err = os.MkdirTemp("", "pinggu-db-"); err != nil {
		return nil, err
	}
	// FerretDB logs every connection at info level and warns about commands
	// the driver sends that it does not know (endSessions); only its errors matter here.
	quiet := slog.New(levelFilter{logger.Handler(), slog.LevelError})
	ferretdbNew.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: filepath.Join(e.sockDir, "ferretdb.sock")},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    quiet,
	})
	ferretdbNew.Unlock()
	if err != nil {
		return nil, fmt.Errorf("ferretdb: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() {
		defer close(e.done)
		if err := f.Run(ctx); err != nil && ctx.Err() == nil {
			logger.Error("embedded FerretDB stopped", "err", err)
		}
	}()
	e.uri, started = f.MongoDBURI(), true
	return e, nil
}

func (e *embedded) stop() {
	e.cancel()
	<-e.done
	e.release()
}

// release removes the socket's directory and unlocks the data folder.
func (e *embedded) release() {
	if e.sockDir != "" {
		os.RemoveAll(e.sockDir)
	}
	if e.lock != nil {
		e.lock.Close() // closing the file releases the lock
	}
}

// levelFilter drops records below a minimum level.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (h levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{h.Handler.WithAttrs(a), h.min}
}

func (h levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{h.Handler.WithGroup(name), h.min}
}

// connstringHost returns the hosts of a MongoDB URI without its credentials.
func connstringHost(uri string) (string, error) {
	cs, err := connstring.Parse(uri)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%v/%s", cs.Hosts, cs.Database), nil
}

// removeDeadSockets clears the socket directories of embedded databases
// that died without cleaning up (a killed process). Directories of other
// users cannot be entered and are left alone.
func removeDeadSockets() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "pinggu-db-*"))
	for _, dir := range dirs {
		c, err := net.DialTimeout("unix", filepath.Join(dir, "ferretdb.sock"), 100*time.Millisecond)
		if err == nil {
			c.Close()
			continue // alive
		}
		// Refused, or no socket at all, in a directory over a minute old:
		// the socket outlived its listener. A database just starting looks
		// the same for a moment (its socket is bound before it listens, and
		// before that there is none), so a young directory is never dead.
		info, serr := os.Stat(dir)
		old := serr == nil && time.Since(info.ModTime()) > time.Minute
		if old && (errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, os.ErrNotExist)) {
			os.RemoveAll(dir)
		}
	}
}
