//go:build tools

// Package tools pins the command-line tools the build uses. It is its own module
// because the Wails CLI v2.9.2 pulls golang.org/x/tools v0.17.0, which does not
// compile on Go 1.26; here it is lifted to a version that does.
package tools

import (
	_ "github.com/wailsapp/wails/v2/cmd/wails"
)
