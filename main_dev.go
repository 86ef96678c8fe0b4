//go:build dev

package main

// devBuild gives dev builds their own single-instance lock (see
// app.InstanceID), so `make dev` starts while the installed app is open.
const devBuild = true
