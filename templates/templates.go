// Package templates embeds the HTML pages and their styles, so the binary
// serves them with no files beside it and no external assets.
package templates

import "embed"

// FS holds every page template: one file per page, named as the handlers
// render it (home.html, round.html, …); base.html is the citizens' layout
// (head, foot) and layout.html the console's (head, navigation, form
// alerts, row errors).
//
//go:embed *.html
var FS embed.FS
