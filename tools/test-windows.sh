#!/usr/bin/env bash
# test-windows.sh [PACKAGE...] builds the Windows test binary of every Go
# package that has tests (GOOS=windows CGO_ENABLED=0 go test -c) and runs each
# under Wine, from its package's folder as go test would. With PACKAGE
# arguments (./metrics, ./app/secrets) only those. Exits non-zero when a
# package fails to build for Windows or a test fails; prints every skipped
# test with its reason, so nothing is left out silently.
#
# Wine runs in a private prefix (tools/wine/prefix.sh: Debian's wine64 8.0,
# WINEDEBUG=-all, the bcryptprimitives.dll shim Go needs there).
# One more thing Go 1.26 needs that Wine 8.0 lacks is supplied here, a test
# tool that never reaches a release build:
#  - FileDispositionInformationEx: os.RemoveAll (and so every t.TempDir
#    cleanup) deletes with NtSetInformationFile class 64, which Wine 8.0
#    answers with STATUS_NOT_IMPLEMENTED; Go falls back to the older
#    FileDispositionInfo only for the statuses Windows itself returns. The
#    test binaries are built with an -overlay copy of Go's
#    internal/syscall/windows/at_windows.go that also falls back on
#    STATUS_NOT_IMPLEMENTED (one line; checked below to still apply).
#
# Needs: tools/setup.sh windows (wine64, gcc-mingw-w64-x86-64-win32).
# CECYBER_WINE_DIR moves the prefix, the shim and the overlay (default .bin/wine);
# CECYBER_WINE_TIMEOUT bounds each binary (default 15m).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

start=$(date +%s)
# shellcheck source=tools/wine/prefix.sh
. tools/wine/prefix.sh
# Wine's server for this prefix ends with the script.
trap '"$wineserver" -k >/dev/null 2>&1 || true' EXIT
out=$repo/build/bin/windows-tests
mkdir -p "$out"

# The os.RemoveAll fallback, as a build overlay of Go's own source.
goroot=$(go env GOROOT)
atfile=$goroot/src/internal/syscall/windows/at_windows.go
overlay=$wine_dir/overlay
mkdir -p "$overlay"
sed 's#^\t\tSTATUS_NOT_SUPPORTED:#\t\tSTATUS_NOT_SUPPORTED, NTStatus(0xC0000002) /* STATUS_NOT_IMPLEMENTED: Wine 8.0, make test-windows */:#' \
	"$atfile" >"$overlay/at_windows.go"
if [ "$(diff "$atfile" "$overlay/at_windows.go" | grep -c '^>')" != 1 ]; then
	echo "test-windows: $atfile no longer has the line tools/test-windows.sh patches for Wine (Go $(go env GOVERSION)); update the sed there" >&2
	exit 1
fi
printf '{"Replace":{"%s":"%s"}}\n' "$atfile" "$overlay/at_windows.go" >"$overlay/overlay.json"

export GOOS=windows GOARCH=amd64 CGO_ENABLED=0
# There is no QEMU for Windows here: app's real-QEMU console test skips
# (and says so) instead of failing on the missing qemu-system-x86_64.
export CECYBER_NO_QEMU_TESTS=1
if [ $# -eq 0 ]; then set -- ./...; fi
# Every package with tests, as Windows sees it (files ending _linux.go or
# tagged !windows are left out, as on Windows).
mapfile -t pkgs < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{"\t"}}{{.Dir}}{{end}}' "$@")
[ ${#pkgs[@]} -gt 0 ] || { echo "test-windows: no packages with tests in $*" >&2; exit 1; }

failed=()
skips=$out/skipped.txt
: >"$skips"
built=$(date +%s)
for entry in "${pkgs[@]}"; do
	pkg=${entry%%$'\t'*} dir=${entry#*$'\t'}
	name=$(echo "${pkg}" | tr '/' '_').test.exe
	if ! go test -overlay "$overlay/overlay.json" -c -o "$out/$name" "$pkg" 2>"$out/$name.build.log"; then
		echo "FAIL	$pkg [does not build for Windows]"
		sed 's/^/	/' "$out/$name.build.log"
		failed+=("$pkg")
		continue
	fi
done
echo "test-windows: built ${#pkgs[@]} test binaries in $(($(date +%s) - built)) s"

for entry in "${pkgs[@]}"; do
	pkg=${entry%%$'\t'*} dir=${entry#*$'\t'}
	name=$(echo "${pkg}" | tr '/' '_').test.exe
	[ -f "$out/$name" ] || continue
	log=$out/${name%.exe}.log
	t0=$(date +%s)
	rc=0
	(cd "$dir" && timeout "${CECYBER_WINE_TIMEOUT:-15m}" "$wine" "$out/$name" -test.v -test.timeout=14m </dev/null >"$log" 2>&1) || rc=$?
	secs=$(($(date +%s) - t0))
	# Each skipped test and the reason it logged before skipping.
	awk -v pkg="$pkg" '
		/^=== (RUN|CONT|NAME) / { cur = $3; next }
		/^ *--- (PASS|FAIL): / { next }
		/^ *--- SKIP: / { name = $3; print pkg "\t" name "\t" (name in why ? why[name] : "(no reason given)"); next }
		/^    / { line = $0; sub(/^ +/, "", line); why[cur] = (cur in why ? why[cur] " " : "") line }
	' "$log" >>"$skips"
	nskip=$(grep -c "^$pkg	" "$skips" || true)
	if [ "$rc" -eq 0 ] && grep -q '^PASS$' "$log"; then
		echo "ok  	$pkg	${secs}s	(${nskip} skipped)"
	else
		echo "FAIL	$pkg	${secs}s	(exit $rc; log: ${log#"$repo"/})"
		grep -E '^\s*--- FAIL|^panic|^fatal error|^FAIL|Test killed|timed out' "$log" | head -n 40 | sed 's/^/	/'
		failed+=("$pkg")
	fi
done

if [ -s "$skips" ]; then
	echo
	echo "test-windows: skipped under Wine, with the reason each test gave:"
	sed 's/^/  /' "$skips"
fi
echo
echo "test-windows: ${#pkgs[@]} packages in $(($(date +%s) - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
	echo "test-windows: FAILED: ${failed[*]}" >&2
	exit 1
fi
