#!/usr/bin/env bash
# test-windows-installer.sh VERSION INSTALLER installs Cecyber under Wine the
# way an administrator would silently (/S), runs the installed cecyber.exe
# --version, checks the uninstall entry and the Start menu shortcut, then
# uninstalls silently and checks that the program is gone.
#
# The installer make build-windows ships uses NSIS's 32-bit stub (the only one
# the official NSIS for Windows has, which the release workflow uses), and
# Debian 12's wine64 runs 64-bit programs only (32-bit needs the i386 wine32).
# So this compiles the same project.nsi, around the same cecyber.exe and the
# same bundled WebView2 bootstrapper, with NSIS's amd64 stub
# (-X"Target amd64-unicode") into a temporary file and runs that: the install
# logic under test is the shipped script; only the stub differs.
#
# WebView2: the prefix has no WebView2 runtime, so the installer takes the
# same path as on a Windows without it and runs the bundled bootstrapper,
# which is a 32-bit program wine64 cannot start (and which would need the
# internet): ExecWait returns and the install goes on, as it does on Windows
# when the bootstrapper fails. The window itself needs WebView2 and is not
# started here; --version answers before anything needs it.
set -euo pipefail
version=$1 installer=$2
cd "$(dirname "$0")/.."
fail() { echo "test-windows-installer: FAIL: $*" >&2; exit 1; }
ok() { echo "test-windows-installer: ok: $*"; }
start=$(date +%s)

[ -f "$installer" ] || fail "no $installer: make build-windows builds it"
file "$installer" | grep -q 'PE32.*MS Windows.*Nullsoft' || fail "$installer is not an NSIS installer: $(file -b "$installer")"
[ -f build/bin/cecyber.exe ] || fail "no build/bin/cecyber.exe next to $installer"
[ -f build/windows/installer/tmp/MicrosoftEdgeWebview2Setup.exe ] || fail "no WebView2 bootstrapper in build/windows/installer/tmp (written by wails build -nsis)"

# shellcheck source=tools/wine/prefix.sh
. tools/wine/prefix.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cecyber-installer.XXXXXX")
trap '"$wineserver" -k >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

# Parameters are processed in order: the OutFile after the script overrides its own.
(cd build/windows/installer && makensis -V2 -X"Target amd64-unicode" \
	"-DARG_WAILS_AMD64_BINARY=$PWD/../../bin/cecyber.exe" project.nsi -X"OutFile $tmp/installer-amd64.exe") ||
	fail "makensis could not build the amd64 variant of project.nsi"
ok "project.nsi built with the amd64 stub ($(stat -c %s "$tmp/installer-amd64.exe") bytes)"

progdir="$WINEPREFIX/drive_c/Program Files/Cecyber"
uninst_key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\Cecyber'
# A previous run that stopped half-way must not make this one pass.
rm -rf "$progdir"
"$wine" reg delete "$uninst_key" /f >/dev/null 2>&1 || true

rc=0
timeout 5m "$wine" "$tmp/installer-amd64.exe" /S >"$tmp/install.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$tmp/install.log" >&2; fail "the silent install exited with $rc (64: Windows older than 10, 65: not amd64)"; }
[ -f "$progdir/cecyber.exe" ] || fail "no C:\\Program Files\\Cecyber\\cecyber.exe after the install"
cmp -s "$progdir/cecyber.exe" build/bin/cecyber.exe || fail "the installed cecyber.exe differs from build/bin/cecyber.exe"
ok "silent install (/S): C:\\Program Files\\Cecyber\\cecyber.exe, identical to build/bin/cecyber.exe"

got=$(timeout 2m "$wine" 'C:\Program Files\Cecyber\cecyber.exe' --version 2>"$tmp/version.err" | tr -d '\r') ||
	{ cat "$tmp/version.err" >&2; fail "the installed cecyber.exe --version failed"; }
case "$got" in
"cecyber $version" | "cecyber $version "*) ;;
*) fail "installed cecyber.exe --version printed '$got', want 'cecyber $version …'" ;;
esac
ok "installed cecyber.exe --version: $got"

"$wine" reg query "$uninst_key" >"$tmp/reg.txt" 2>&1 || fail "no uninstall entry $uninst_key"
grep -q 'InstallLocation' "$tmp/reg.txt" || fail "the uninstall entry has no InstallLocation: $(cat "$tmp/reg.txt")"
grep -qi 'UninstallString' "$tmp/reg.txt" || fail "the uninstall entry has no UninstallString"
ok "uninstall entry in the registry (Settings → Apps)"
shortcut="$WINEPREFIX/drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs/Cecyber.lnk"
[ -f "$shortcut" ] || fail "no Start menu shortcut for every user ($shortcut)"
ok "Start menu shortcut for every user"

# The uninstaller copies itself to a temporary folder, starts that copy and
# returns; wineserver -w waits until every program in the prefix has ended.
rc=0
timeout 5m "$wine" "$progdir/uninstall.exe" /S >"$tmp/uninstall.log" 2>&1 || rc=$?
timeout 5m "$wineserver" -w || fail "the uninstaller did not finish within 5 minutes"
[ "$rc" -eq 0 ] || { cat "$tmp/uninstall.log" >&2; fail "the silent uninstall exited with $rc"; }
[ ! -e "$progdir/cecyber.exe" ] || fail "cecyber.exe is still there after the uninstall"
[ ! -e "$shortcut" ] || fail "the Start menu shortcut is still there after the uninstall"
! "$wine" reg query "$uninst_key" >/dev/null 2>&1 || fail "the uninstall entry is still in the registry"
[ ! -e "$progdir" ] || fail "C:\\Program Files\\Cecyber is still there after the uninstall: $(ls "$progdir")"
ok "silent uninstall: program, shortcut and uninstall entry removed"
echo "test-windows-installer: passed in $(($(date +%s) - start)) s"
