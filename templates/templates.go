// Package templates embeds the HTML pages and their styles, so the binary
// serves them with no files beside it and no external assets.
package templates

import "embed"

// FS holds every page template (*.html).
//
//go:embed *.html
var FS embed.FS
