package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// embedded is a FerretDB running in this process on loopback, so the
// zero-setup mode uses the same driver code path as production.
type embedded struct {
	dir    string
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

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
	// FerretDB logs every connection at info level and warns about commands
	// the driver sends that it does not know (endSessions); only its errors matter here.
	quiet := slog.New(levelFilter{logger.Handler(), slog.LevelError})
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    quiet,
	})
	if err != nil {
		return nil, fmt.Errorf("ferretdb: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &embedded{dir: abs, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		if err := f.Run(ctx); err != nil && ctx.Err() == nil {
			logger.Error("embedded FerretDB stopped", "err", err)
		}
	}()
	e.uri = f.MongoDBURI()
	return e, nil
}

func (e *embedded) stop() {
	e.cancel()
	<-e.done
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
