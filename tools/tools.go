//go:build tools

// Package tools pins the command-line tools the build uses: the Wails CLI,
// nfpm (the Linux .deb and .rpm) and actionlint (the release workflow). It is
// its own module because the Wails CLI v2.9.2 pulls golang.org/x/tools
// v0.17.0, which does not compile on Go 1.26; here it is lifted to a version
// that does, and the app's own go.mod stays free of build tooling.
package tools

import (
	_ "github.com/goreleaser/nfpm/v2/cmd/nfpm"
	_ "github.com/rhysd/actionlint/cmd/actionlint"
	_ "github.com/wailsapp/wails/v2/cmd/wails"
)
