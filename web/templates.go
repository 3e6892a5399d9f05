package web

import "embed"

// templates are the root pages' templates (the landing page).
//
//go:embed templates/*.html
var templates embed.FS
