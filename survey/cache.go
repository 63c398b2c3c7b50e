package survey

import (
	"strings"
	"sync"
	"time"
)

// cache keeps values for FormCacheTTL of wall time (not the injectable
// clock: this is about freshness). An expired value is still returned, so
// a caller can serve it while the database is down.
type cache[V any] struct {
	mu sync.Mutex
	m  map[string]cached[V]
}

type cached[V any] struct {
	v       V
	expires time.Time
}

func newCache[V any]() *cache[V] { return &cache[V]{m: map[string]cached[V]{}} }

// get returns the value kept under key, whether there is one, and whether
// it is still fresh.
func (c *cache[V]) get(key string) (v V, ok, fresh bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	return e.v, ok, ok && time.Now().Before(e.expires)
}

func (c *cache[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 10000 { // rounds × units of an installation stay far below this
		clear(c.m)
	}
	c.m[key] = cached[V]{v: v, expires: time.Now().Add(FormCacheTTL)}
}

// drop forgets every key that is prefix or starts with prefix + "/".
func (c *cache[V]) drop(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if k == prefix || strings.HasPrefix(k, prefix+"/") {
			delete(c.m, k)
		}
	}
}
