package pinggu

import (
	"regexp"
	"time"
	"unicode/utf8"
)

// Role is what a signed-in person may do.
type Role string

// Roles of the console.
const (
	RoleAdmin    Role = "admin"    // 管理员: everything
	RoleAssessor Role = "assessor" // 评估人员: read rounds and results, review, download
	RoleReporter Role = "reporter" // 填报人: only their own unit's tasks and progress
)

// RoleLabel is the role in the words of the UI.
func RoleLabel(r Role) string {
	return map[Role]string{RoleAdmin: "管理员", RoleAssessor: "评估人员", RoleReporter: "填报人"}[r]
}

// User is a person who signs in to the console.
type User struct {
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Unit         string    `json:"unit,omitempty"` // reporters only
	PasswordHash string    `json:"-"`
	FailedLogins int       `json:"-"`
	LockedUntil  time.Time `json:"-"`
	Locks        int       `json:"-"`                  // locks in a row (the back-off grows with them)
	Disabled     bool      `json:"disabled,omitempty"` // signs in no more; its sessions and tokens fail at once
	CreatedAt    time.Time `json:"createdAt"`
}

var userNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,39}$`)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// Validate checks a new user and the password chosen for them.
func (u *User) Validate(password string) error {
	fe := FieldErrors{}
	if !userNameRe.MatchString(u.Name) {
		fe.Add("name", "用户名须为3–40位小写字母、数字、.、-或_")
	}
	u.checkRole(fe)
	if utf8.RuneCountInString(password) < MinPasswordLength {
		fe.Add("password", "密码至少10位")
	}
	return fe.Err("用户信息有误")
}

// ValidateRole checks a new role and unit for an existing account.
func (u *User) ValidateRole() error {
	fe := FieldErrors{}
	u.checkRole(fe)
	return fe.Err("角色有误")
}

func (u *User) checkRole(fe FieldErrors) {
	switch u.Role {
	case RoleAdmin, RoleAssessor:
		if u.Unit != "" {
			fe.Add("unit", "只有填报人隶属于单位")
		}
	case RoleReporter:
		if u.Unit == "" {
			fe.Add("unit", "填报人须指定所属单位")
		}
	default:
		fe.Add("role", "角色须为admin、assessor或reporter")
	}
}

// Session is a signed-in browser. Its id is kept only as a hash.
type Session struct {
	ID        string    `json:"-"`
	User      string    `json:"user"`
	Role      Role      `json:"role"`
	Unit      string    `json:"unit,omitempty"`
	CSRF      string    `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
	LastSeen  time.Time `json:"lastSeen"`
}

// APIToken is a personal API token as listed: its id is the token's hash;
// the token itself is shown once, when issued.
// UnitToken is a unit reporter's token as listed: its hash (the id to revoke
// it by), never the token.
type UnitToken struct {
	ID        string    `json:"id"`
	Unit      string    `json:"unit"`
	CreatedAt time.Time `json:"createdAt"`
}

type APIToken struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
}

// Principal is who calls the API or uses the console.
type Principal struct {
	Name string // the user, "admin" for the bootstrap token, "unit:<code>" for a unit token
	Role Role
	Unit string // reporters only
}
