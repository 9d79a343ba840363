// Package web is zapgate's browser side: the helpdesk dashboard and the
// public feedback page. Plain HTML, CSS and ES modules with no build step,
// embedded in the binary so the pages work offline and need no CDN.
package web

import "embed"

// FS holds the pages, scripts and the style sheet, by file name.
//
//go:embed *.html *.js *.css
var FS embed.FS
