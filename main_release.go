//go:build !dev

package main

// devBuild is false outside dev builds; see main_dev.go.
const devBuild = false
