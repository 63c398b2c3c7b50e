package pinggu

import (
	"strings"
	"time"
)

// UnitType is what kind of body a unit is.
type UnitType string

// Unit types: 县(市、区), 市级部门, 乡镇(街道).
const (
	County     UnitType = "county"
	Department UnitType = "department"
	Town       UnitType = "town"
)

// Unit is an evaluated body (被评估单位). Units are ranked only within their
// peer group (考核类别).
type Unit struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Type      UnitType  `json:"type"`
	PeerGroup string    `json:"peerGroup"`
	Parent    string    `json:"parent"`
	Aliases   []string  `json:"aliases,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// UnitTypes are the unit types with their words in the UI, in order.
var UnitTypes = []struct {
	Type  UnitType
	Label string
}{{County, "县（市、区）"}, {Department, "市级部门"}, {Town, "乡镇（街道）"}}

// UnitTypeLabel is the type in the words of the UI.
func UnitTypeLabel(t UnitType) string {
	for _, l := range UnitTypes {
		if l.Type == t {
			return l.Label
		}
	}
	return string(t)
}

// UnitNames maps unit codes to names.
func UnitNames(units []Unit) map[string]string {
	names := make(map[string]string, len(units))
	for _, u := range units {
		names[u.Code] = u.Name
	}
	return names
}

// MatchUnits finds units as offices write them in sheets: by exact name
// first, then by a known alias (so an alias never shadows another unit's
// name); ok is false for neither.
func MatchUnits(units []Unit) func(name string) (code string, ok bool) {
	byName, byAlias := map[string]string{}, map[string]string{}
	for _, u := range units {
		byName[u.Name] = u.Code
		for _, a := range u.Aliases {
			byAlias[a] = u.Code
		}
	}
	return func(name string) (string, bool) {
		if c, ok := byName[name]; ok {
			return c, true
		}
		c, ok := byAlias[name]
		return c, ok
	}
}

// RoundUnits are a round's units in its order, from all units; a code no
// longer among them stands as a unit named by its code.
func RoundUnits(all []Unit, codes []string) []Unit {
	byCode := make(map[string]Unit, len(all))
	for _, u := range all {
		byCode[u.Code] = u
	}
	out := make([]Unit, len(codes))
	for i, c := range codes {
		u, ok := byCode[c]
		if !ok {
			u = Unit{Code: c, Name: c}
		}
		out[i] = u
	}
	return out
}

// Normalize trims the text fields.
func (u *Unit) Normalize() {
	u.Code = strings.TrimSpace(u.Code)
	u.Name = strings.TrimSpace(u.Name)
	u.PeerGroup = strings.TrimSpace(u.PeerGroup)
	u.Parent = strings.TrimSpace(u.Parent)
	for i := range u.Aliases {
		u.Aliases[i] = strings.TrimSpace(u.Aliases[i])
	}
}

// Validate checks the unit on its own; that the parent exists is the caller's check.
func (u *Unit) Validate() error {
	fe := FieldErrors{}
	if !codeRe.MatchString(u.Code) {
		fe.Add("code", "编码须为1–40位小写字母、数字、-或_，以字母或数字开头")
	}
	checkText(fe, "name", u.Name, 100, true)
	switch u.Type {
	case County, Department, Town:
	default:
		fe.Add("type", "类型须为county（县市区）、department（市级部门）或town（乡镇街道）")
	}
	checkText(fe, "peerGroup", u.PeerGroup, 50, true)
	if u.Parent != "" && (u.Parent == u.Code || !codeRe.MatchString(u.Parent)) {
		fe.Add("parent", "上级单位编码无效")
	}
	for _, a := range u.Aliases {
		if a == "" || len([]rune(a)) > 100 {
			fe.Add("aliases", "别名不能为空且不能超过100个字")
			break
		}
	}
	return fe.Err("单位信息有误")
}
