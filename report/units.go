package report

import (
	"fmt"
	"io"
	"strings"

	"pinggu"
)

// unitColumns maps the header names offices use to unit fields.
var unitColumns = map[string]string{
	"编码": "code", "单位编码": "code", "code": "code",
	"名称": "name", "单位名称": "name", "单位": "name", "name": "name",
	"类型": "type", "单位类型": "type", "type": "type",
	"考核类别": "peerGroup", "类别": "peerGroup", "peergroup": "peerGroup",
	"上级单位": "parent", "上级单位编码": "parent", "parent": "parent",
	"别名": "aliases", "aliases": "aliases",
}

// ReadUnits reads a unit list (the first sheet, a header row, one unit per
// row). Aliases are separated by 、，, or ;. Problems are reported by sheet
// row; checks that need the database are the caller's.
func ReadUnits(r io.Reader) ([]pinggu.UnitRow, pinggu.RowErrors, error) {
	t := table{columns: unitColumns, need: [][2]string{{"code", "编码"}, {"name", "名称"}, {"type", "类型"}, {"peerGroup", "考核类别"}}}
	var out []pinggu.UnitRow
	seen := map[string]int{}
	fe, err := t.read(r, func(n int, row map[string]string, _ []string) string {
		u := pinggu.Unit{Code: row["code"], Name: row["name"], PeerGroup: row["peerGroup"], Parent: row["parent"],
			Type: unitTypeNames[strings.ToLower(row["type"])]}
		if u.Type == "" {
			u.Type = pinggu.UnitType(row["type"]) // Validate names what is wrong
		}
		for _, a := range strings.FieldsFunc(row["aliases"], func(r rune) bool { return strings.ContainsRune("、，,;；\n", r) }) {
			if a = strings.TrimSpace(a); a != "" {
				u.Aliases = append(u.Aliases, a)
			}
		}
		u.Normalize()
		var problems []string
		if fe := pinggu.ErrorFields(u.Validate()); fe != nil {
			for _, f := range []string{"code", "name", "type", "peerGroup", "parent", "aliases"} {
				if msg, ok := fe[f]; ok {
					problems = append(problems, msg)
				}
			}
		}
		if prev, dup := seen[u.Code]; dup && u.Code != "" {
			problems = append(problems, fmt.Sprintf("编码%s与第%d行重复", u.Code, prev))
		}
		if len(problems) == 0 {
			seen[u.Code] = n
			out = append(out, pinggu.UnitRow{Row: n, Unit: u})
		}
		return strings.Join(problems, "；")
	})
	return out, fe, err
}
