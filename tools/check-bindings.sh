#!/usr/bin/env bash
# check-bindings.sh [TAGS] fails when frontend/wailsjs is not what the Go code
# in app/ generates, and says what differs. It generates into a temporary
# folder, as `wails generate module` would (the same bindings build, the same
# wails.json, TypeScript classes), and never rewrites a tracked file:
# `make bindings` is what regenerates frontend/wailsjs.
set -euo pipefail
tags=${1:-webkit2_41}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cecyber-bindings.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# What `wails generate module` runs: the app built with the bindings tag
# (and without desktop/production/dev), started in a folder whose wails.json
# names the output folder. The binary is main(): it gets private config and
# state folders, so it neither opens the user's database nor hands over to a
# running Cecyber before it writes the bindings.
go build -tags "$tags,bindings" -o "$tmp/wailsbindings" .
mkdir -p "$tmp/project" "$tmp/xdg/config" "$tmp/xdg/state" "$tmp/xdg/data" "$tmp/xdg/cache"
sed 's#"wailsjsdir": *"[^"]*"#"wailsjsdir": "./out"#' wails.json >"$tmp/project/wails.json"
grep -q '"wailsjsdir": "./out"' "$tmp/project/wails.json" || { echo "check-bindings: wails.json has no wailsjsdir to redirect" >&2; exit 1; }
(
	cd "$tmp/project"
	env -u DISPLAY -u WAYLAND_DISPLAY HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/xdg/config" XDG_STATE_HOME="$tmp/xdg/state" \
		XDG_DATA_HOME="$tmp/xdg/data" XDG_CACHE_HOME="$tmp/xdg/cache" tsprefix='' tssuffix='' tsoutputtype=classes \
		"$tmp/wailsbindings" >"$tmp/log" 2>&1
) || { echo "check-bindings: generating the bindings failed:" >&2; cat "$tmp/log" >&2; exit 1; }
[ -d "$tmp/project/out/wailsjs/go" ] || { echo "check-bindings: nothing generated:" >&2; cat "$tmp/log" >&2; exit 1; }

if ! diff -r -u frontend/wailsjs "$tmp/project/out/wailsjs" >"$tmp/diff"; then
	echo "frontend/wailsjs is out of date with app/: run 'make bindings' and commit the result. The difference:" >&2
	sed "s#$tmp/project/out/#generated/#g" "$tmp/diff" | head -n 200 >&2
	exit 1
fi
echo "check-bindings: frontend/wailsjs is up to date"
