// Package migrations holds the numbered SQL files that build zapgate's schema.
// infra/postgres applies them in order, once each.
package migrations

import "embed"

// FS holds every migration; names sort in the order they apply.
//
//go:embed *.sql
var FS embed.FS
