package server

import (
	"pinggu"
	"slices"
)

// access is who may use a part of the console. The route groups admit by
// it and the pages show their links and buttons by it, so a page never
// offers what its route would refuse (and no template compares roles).
type access int

const (
	signedInAccess access = iota // everyone signed in: rounds list, tasks, tokens
	staffAccess                  // administrators and assessors: round pages, reports, review
	adminAccess                  // administrators: units, questionnaires, indicator systems, audit, round editing
)

// roles admitted; nil admits every signed-in role.
func (a access) roles() []pinggu.Role {
	switch a {
	case staffAccess:
		return []pinggu.Role{pinggu.RoleAdmin, pinggu.RoleAssessor}
	case adminAccess:
		return []pinggu.Role{pinggu.RoleAdmin}
	}
	return nil
}

// allows reports whether a role may use this part of the console.
func (a access) allows(r pinggu.Role) bool {
	rs := a.roles()
	return rs == nil || slices.Contains(rs, r)
}
