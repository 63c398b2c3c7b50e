// Package auth signs people in to the console: accounts with bcrypt
// password hashes, lock-out after repeated failures, and sessions kept in
// MongoDB with idle and absolute expiry.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"pinggu"
)

// Store is what signing in needs from the database.
type Store interface {
	CreateUser(ctx context.Context, u *pinggu.User) error
	User(ctx context.Context, name string) (*pinggu.User, error)
	SetUserRole(ctx context.Context, name string, role pinggu.Role, unit string) error
	SetUserDisabled(ctx context.Context, name string, disabled bool) error
	Users(ctx context.Context) ([]pinggu.User, error)
	DeleteSessionsOf(ctx context.Context, user string) (int, error)
	Unit(ctx context.Context, code string) (*pinggu.Unit, error)
	TakeLoginAttempt(ctx context.Context, name string, maxFailures int, now time.Time) (bool, time.Time, error)
	LoginFailed(ctx context.Context, name string, maxFailures int, lockFor func(locks int) time.Duration, now time.Time) (time.Time, error)
	LoginSucceeded(ctx context.Context, name string) error
	CreateSession(ctx context.Context, s *pinggu.Session) error
	Session(ctx context.Context, id string) (*pinggu.Session, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	DeleteSessionsBefore(ctx context.Context, user string, t time.Time) error
	TokenStore
	pinggu.Auditor
}

// Policy holds the sign-in rules; the zero value is the production one.
//
// Guessing is bounded per account and per network, by back-off rather
// than a long hard lock: after MaxFailures wrong passwords in a row an
// account is locked for LockFor, doubled with every further lock in a row
// up to MaxLock, and a success resets it — so a stranger's five requests
// lock an account for a minute, not for a day. A network that fails
// NetworkFailures times within NetworkWindow is refused until the window
// ends, whichever accounts it tries (password spraying).
type Policy struct {
	Cost            int           // bcrypt cost (default 12)
	MaxFailures     int           // failures in a row before a lock (default 5)
	LockFor         time.Duration // the first lock (default 1 min)
	MaxLock         time.Duration // the longest lock (default 15 min)
	NetworkFailures int           // failures from one network in a window (default 30)
	NetworkWindow   time.Duration // (default 10 min)
	Idle            time.Duration // a session ends after this long unused (default 30 min)
	Absolute        time.Duration // and at the latest after this long (default 12 h)
}

// lockFor is how long the next lock lasts after locks in a row.
func (p Policy) lockFor(locks int) time.Duration {
	d := p.LockFor
	for i := 0; i < locks && d < p.MaxLock; i++ {
		d *= 2
	}
	return min(d, p.MaxLock)
}

func (p Policy) withDefaults() Policy {
	if p.Cost == 0 {
		p.Cost = 12
	}
	if p.MaxFailures == 0 {
		p.MaxFailures = 5
	}
	if p.LockFor == 0 {
		p.LockFor = time.Minute
	}
	if p.MaxLock == 0 {
		p.MaxLock = 15 * time.Minute
	}
	if p.NetworkFailures == 0 {
		p.NetworkFailures = 30
	}
	if p.NetworkWindow == 0 {
		p.NetworkWindow = 10 * time.Minute
	}
	if p.Idle == 0 {
		p.Idle = 30 * time.Minute
	}
	if p.Absolute == 0 {
		p.Absolute = 12 * time.Hour
	}
	return p
}

// Service manages accounts and sessions.
type Service struct {
	store  Store
	now    func() time.Time
	policy Policy

	dummyOnce sync.Once
	dummy     []byte // a hash to compare against for unknown names

	// Failures counted in this replica's memory, in fixed windows: per
	// network (spraying), and per unknown name (so an unknown name locks
	// as a known one does, and the answer does not tell them apart).
	networks, unknown *counter
}

// New returns the sign-in service.
func New(store Store, now func() time.Time, p Policy) *Service {
	p = p.withDefaults()
	return &Service{store: store, now: now, policy: p, networks: newCounter(p.NetworkWindow), unknown: newCounter(p.MaxLock)}
}

// AddUser creates an account (a reporter's unit must exist).
func (s *Service) AddUser(ctx context.Context, name string, role pinggu.Role, unit, password string) (*pinggu.User, error) {
	u := &pinggu.User{Name: name, Role: role, Unit: unit, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if err := u.Validate(password); err != nil {
		return nil, err
	}
	if unit != "" {
		if _, err := s.store.Unit(ctx, unit); err != nil {
			return nil, err
		}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.policy.Cost)
	if err != nil {
		return nil, pinggu.Wrap(pinggu.Invalid, err, "密码无法使用（最长72字节）")
	}
	u.PasswordHash = string(hash)
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, pinggu.Audit(ctx, s.store, "user.add", "user/"+u.Name, pinggu.RoleLabel(u.Role)+" "+u.Unit)
}

// SetRole gives an account another role (and unit, for a reporter). It
// takes effect on the account's next request: sessions and API tokens
// read the role from the account every time.
func (s *Service) SetRole(ctx context.Context, name string, role pinggu.Role, unit string) (*pinggu.User, error) {
	u, err := s.store.User(ctx, name)
	if err != nil {
		return nil, err
	}
	before := pinggu.RoleLabel(u.Role) + " " + u.Unit
	u.Role, u.Unit = role, unit
	if err := u.ValidateRole(); err != nil {
		return nil, err
	}
	if unit != "" {
		if _, err := s.store.Unit(ctx, unit); err != nil {
			return nil, err
		}
	}
	if err := s.store.SetUserRole(ctx, name, role, unit); err != nil {
		return nil, err
	}
	return u, pinggu.Audit(ctx, s.store, "user.role", "user/"+name,
		strings.TrimSpace(before)+" → "+strings.TrimSpace(pinggu.RoleLabel(role)+" "+unit))
}

// SetDisabled disables an account — its sessions end and its tokens fail
// from the next request on — or enables it again.
func (s *Service) SetDisabled(ctx context.Context, name string, disabled bool) (*pinggu.User, error) {
	if disabled && pinggu.Actor(ctx) == "user:"+name {
		return nil, pinggu.Errorf(pinggu.Conflict, "不能停用自己正在使用的账户")
	}
	if err := s.store.SetUserDisabled(ctx, name, disabled); err != nil {
		return nil, err
	}
	action, what := "user.enable", "启用"
	if disabled {
		action, what = "user.disable", "停用"
		if _, err := s.store.DeleteSessionsOf(ctx, name); err != nil {
			return nil, err
		}
	}
	if err := pinggu.Audit(ctx, s.store, action, "user/"+name, what+"账户"); err != nil {
		return nil, err
	}
	return s.store.User(ctx, name)
}

// Users lists the accounts.
func (s *Service) Users(ctx context.Context) ([]pinggu.User, error) { return s.store.Users(ctx) }

// EndSessions signs an account out everywhere.
func (s *Service) EndSessions(ctx context.Context, name string) (int, error) {
	if _, err := s.store.User(ctx, name); err != nil {
		return 0, err
	}
	n, err := s.store.DeleteSessionsOf(ctx, name)
	if err != nil {
		return 0, err
	}
	return n, pinggu.Audit(ctx, s.store, "user.signout", "user/"+name, fmt.Sprintf("结束%d个会话", n))
}

var errDisabled = pinggu.Errorf(pinggu.Unauthorized, "账户已停用，请联系管理员")

var errBadLogin = pinggu.Errorf(pinggu.Unauthorized, "用户名或密码错误")

func errLocked(until time.Time) error {
	return pinggu.Errorf(pinggu.Forbidden, "登录失败次数过多，账户已暂时锁定，请于%s后再试", until.In(cst).Format("15:04"))
}

var errNetworkBusy = pinggu.Errorf(pinggu.Forbidden, "本网络登录失败次数过多，请稍后再试")

// Login checks a password and opens a session; the returned token goes
// into the session cookie and is stored only as a hash. network is the
// caller's address as the audit log keeps it (hashed). Every attempt is
// counted before its password is checked, so concurrent guesses cannot
// outrun the lock; an unknown name is answered as a wrong password is,
// and locks as a known one does. Sign-ins and failures are audited.
func (s *Service) Login(ctx context.Context, name, password, network string) (string, *pinggu.Session, error) {
	now := s.now().UTC()
	ctx = pinggu.WithActor(ctx, "login:"+name)
	if s.networks.count(now, network) >= s.policy.NetworkFailures {
		// Not audited: the failures that led here are, and a flood of
		// refusals must not become a flood of audit entries.
		return "", nil, errNetworkBusy
	}
	u, err := s.store.User(ctx, name)
	if pinggu.ErrorCode(err) == pinggu.NotFound {
		// Spend the same time as a real check, so names cannot be probed.
		s.dummyOnce.Do(func() { s.dummy, _ = bcrypt.GenerateFromPassword([]byte(randomHex(8)), s.policy.Cost) })
		_ = bcrypt.CompareHashAndPassword(s.dummy, []byte(password))
		s.networks.add(now, network)
		if s.unknown.add(now, name) >= s.policy.MaxFailures {
			return "", nil, s.refused(ctx, name, network, "用户不存在", errLocked(now.Add(s.policy.LockFor)))
		}
		return "", nil, s.refused(ctx, name, network, "用户不存在", errBadLogin)
	}
	if err != nil {
		return "", nil, err
	}
	ok, until, err := s.store.TakeLoginAttempt(ctx, name, s.policy.MaxFailures, now)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, s.refused(ctx, name, network, "账户锁定中", errLocked(until))
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		s.networks.add(now, network)
		until, err := s.store.LoginFailed(ctx, name, s.policy.MaxFailures, s.policy.lockFor, now)
		if err != nil {
			return "", nil, err
		}
		if !until.IsZero() {
			return "", nil, s.refused(ctx, name, network, "密码错误，账户锁定", errLocked(until))
		}
		return "", nil, s.refused(ctx, name, network, "密码错误", errBadLogin)
	}
	if u.Disabled { // said only to whoever knows the password
		return "", nil, s.refused(ctx, name, network, "账户已停用", errDisabled)
	}
	if err := s.store.LoginSucceeded(ctx, name); err != nil {
		return "", nil, err
	}
	_ = s.store.DeleteSessionsBefore(ctx, name, now.Add(-s.policy.Absolute))
	token := randomHex(32)
	se := &pinggu.Session{ID: pinggu.HashToken(token), User: u.Name, Role: u.Role, Unit: u.Unit, CSRF: randomHex(16),
		CreatedAt: now.Truncate(time.Millisecond), LastSeen: now.Truncate(time.Millisecond)}
	if err := s.store.CreateSession(ctx, se); err != nil {
		return "", nil, err
	}
	return token, se, pinggu.Audit(pinggu.WithActor(ctx, "user:"+name), s.store, "login", "user/"+name, "登录，网络"+network)
}

// refused audits a refused sign-in and returns what the person is told.
func (s *Service) refused(ctx context.Context, name, network, why string, told error) error {
	if err := pinggu.Audit(ctx, s.store, "login.fail", "user/"+name, why+"，网络"+network); err != nil {
		return err
	}
	return told
}

var cst = time.FixedZone("CST", 8*3600)

// Session returns the live session of a token, ending it when it has been
// idle too long or has reached its absolute limit.
func (s *Service) Session(ctx context.Context, token string) (*pinggu.Session, error) {
	id := pinggu.HashToken(token)
	se, err := s.store.Session(ctx, id)
	if pinggu.ErrorCode(err) == pinggu.NotFound {
		return nil, pinggu.Errorf(pinggu.Unauthorized, "请先登录")
	}
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if now.Sub(se.LastSeen) > s.policy.Idle || now.Sub(se.CreatedAt) > s.policy.Absolute {
		_ = s.store.DeleteSession(ctx, id)
		return nil, pinggu.Errorf(pinggu.Unauthorized, "登录已过期，请重新登录")
	}
	// The account, not the session, says what it may do: a changed role
	// or a deleted account counts from the next request on.
	u, err := s.store.User(ctx, se.User)
	if pinggu.ErrorCode(err) == pinggu.NotFound {
		_ = s.store.DeleteSession(ctx, id)
		return nil, pinggu.Errorf(pinggu.Unauthorized, "账户已不存在，请重新登录")
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		_ = s.store.DeleteSession(ctx, id)
		return nil, errDisabled
	}
	se.Role, se.Unit = u.Role, u.Unit
	if now.Sub(se.LastSeen) > time.Minute { // one write a minute is enough for idle expiry
		if err := s.store.TouchSession(ctx, id, now.Truncate(time.Millisecond)); err != nil {
			return nil, err
		}
	}
	return se, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, pinggu.HashToken(token))
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprint("crypto/rand: ", err))
	}
	return hex.EncodeToString(b)
}

// TokenStore is what personal API tokens need from the database.
type TokenStore interface {
	AddAPIToken(ctx context.Context, hash, user, name string, at time.Time) error
	APITokenUser(ctx context.Context, hash string) (string, error)
	APITokens(ctx context.Context, user string) ([]pinggu.APIToken, error)
	RevokeAPIToken(ctx context.Context, user, hash string) error
}

// IssueToken creates a personal API token for a user, with the user's role;
// it is shown once ("p_…") and kept only as a hash.
func (s *Service) IssueToken(ctx context.Context, user, name string) (string, error) {
	if _, err := s.store.User(ctx, user); err != nil {
		return "", err
	}
	if strings.TrimSpace(name) == "" || len([]rune(name)) > 100 {
		return "", pinggu.FieldErrors{"name": "请为令牌起一个名称（不超过100字）"}.Err("令牌信息有误")
	}
	token := "p_" + randomHex(32)
	if err := s.store.AddAPIToken(ctx, pinggu.HashToken(token), user, strings.TrimSpace(name), s.now().UTC().Truncate(time.Millisecond)); err != nil {
		return "", err
	}
	return token, pinggu.Audit(ctx, s.store, "token.issue", "user/"+user, name)
}

// Tokens lists a user's personal tokens; Revoke deletes one.
func (s *Service) Tokens(ctx context.Context, user string) ([]pinggu.APIToken, error) {
	return s.store.APITokens(ctx, user)
}

// Revoke deletes one of a user's tokens by its id.
func (s *Service) Revoke(ctx context.Context, user, id string) error {
	if err := s.store.RevokeAPIToken(ctx, user, id); err != nil {
		return err
	}
	return pinggu.Audit(ctx, s.store, "token.revoke", "user/"+user, id[:min(12, len(id))])
}

// PrincipalOfToken resolves a personal API token to its user and role.
func (s *Service) PrincipalOfToken(ctx context.Context, token string) (*pinggu.Principal, error) {
	name, err := s.store.APITokenUser(ctx, pinggu.HashToken(token))
	if pinggu.ErrorCode(err) == pinggu.NotFound {
		return nil, pinggu.Errorf(pinggu.Unauthorized, "API令牌无效或已撤销")
	}
	if err != nil {
		return nil, err
	}
	u, err := s.store.User(ctx, name)
	if err != nil {
		return nil, pinggu.Errorf(pinggu.Unauthorized, "API令牌的用户已不存在")
	}
	if u.Disabled {
		return nil, errDisabled
	}
	return &pinggu.Principal{Name: u.Name, Role: u.Role, Unit: u.Unit}, nil
}

// counter counts events per key in fixed windows, in memory; a new window
// forgets the old one whole, so memory stays bounded by one window's keys.
type counter struct {
	mu     sync.Mutex
	window time.Duration
	start  time.Time
	n      map[string]int
}

func newCounter(window time.Duration) *counter { return &counter{window: window, n: map[string]int{}} }

func (c *counter) roll(now time.Time) {
	if now.Sub(c.start) >= c.window || now.Before(c.start) {
		c.start, c.n = now.Truncate(c.window), map[string]int{}
	}
}

// count is the key's events in the current window.
func (c *counter) count(now time.Time, key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.roll(now)
	return c.n[key]
}

// add counts one event and returns the key's count.
func (c *counter) add(now time.Time, key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.roll(now)
	c.n[key]++
	return c.n[key]
}
