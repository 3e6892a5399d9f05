package ui

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed assets
var assets embed.FS

// Assets serves the embedded stylesheet, script and icons (mounted at
// /assets/ with the prefix stripped).
func Assets() http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the folder is embedded: it exists
	}
	return http.FileServer(http.FS(sub))
}
