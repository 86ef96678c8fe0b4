#!/usr/bin/env bash
# test-package.sh VERSION COMMIT BUILD_DATE PKG_VERSION INSTALLER checks what make test-package
# built and installed: the .deb as dpkg sees it, the binary it put in
# /usr/bin, the .rpm and the Windows installer.
set -euo pipefail
version=$1 commit=$2 build_date=$3 pkg_version=$4 installer=$5
cd "$(dirname "$0")/.."
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
ok() { echo "test-package: ok: $*"; }

installed=$(dpkg-query -W -f='${Version}' cecyber)
[ "$installed" = "$pkg_version-1" ] || [ "$installed" = "$pkg_version" ] ||
	fail "dpkg has cecyber $installed installed, want $pkg_version"
ok "dpkg: cecyber $installed installed"

# --version is answered before anything needs a display or a D-Bus session.
got=$(env -u DISPLAY -u WAYLAND_DISPLAY /usr/bin/cecyber --version)
case "$got" in
"cecyber $version" | "cecyber $version "*) ;;
*) fail "/usr/bin/cecyber --version printed '$got', want 'cecyber $version …'" ;;
esac
# Where it shows the commit and the build date, they are the stamped ones.
case "$got" in *"commit "*) [[ "$got" == *"commit $commit"* ]] || fail "--version shows another commit than $commit: $got" ;; esac
case "$got" in *"built "*) [[ "$got" == *"built $build_date"* ]] || fail "--version shows another build date than $build_date: $got" ;; esac
ok "/usr/bin/cecyber --version: $got"

missing=$(ldd /usr/bin/cecyber | grep 'not found' || true)
[ -z "$missing" ] || fail "/usr/bin/cecyber needs libraries the package's dependencies do not bring: $missing"
ok "ldd: every shared library found"

files=$(dpkg -L cecyber)
want=(/usr/bin/cecyber /usr/share/applications/cecyber.desktop
	/usr/share/metainfo/io.cecyber.Cecyber.metainfo.xml
	/usr/share/icons/hicolor/scalable/apps/cecyber.svg /usr/share/doc/cecyber/copyright)
for s in 16 32 48 64 128 256 512; do want+=("/usr/share/icons/hicolor/${s}x${s}/apps/cecyber.png"); done
for f in "${want[@]}"; do
	grep -qx "$f" <<<"$files" || fail "dpkg -L cecyber does not list $f"
	[ -e "$f" ] || fail "$f is listed but not installed"
done
ok "dpkg -L: binary, desktop entry, AppStream metainfo, ${#want[@]} files in all"
desktop-file-validate /usr/share/applications/cecyber.desktop || fail "desktop-file-validate rejects the desktop entry"
ok "desktop-file-validate: cecyber.desktop"

rpm=(build/bin/cecyber-"$pkg_version"-1.*.rpm)
[ -f "${rpm[0]}" ] || fail "no build/bin/cecyber-$pkg_version-1.*.rpm"
file "${rpm[0]}" | grep -q 'RPM v3.0 bin' || fail "${rpm[0]} is not a binary RPM: $(file -b "${rpm[0]}")"
ok "rpm: ${rpm[0]} ($(stat -c %s "${rpm[0]}") bytes)"

[ -f "$installer" ] || fail "no $installer"
file "$installer" | grep -q 'PE32.*MS Windows' || fail "$installer is not a Windows executable: $(file -b "$installer")"
# 7-Zip reads NSIS installers: the app must be inside, and as large as the one built.
listing=$(7z l "$installer")
grep -q 'cecyber\.exe' <<<"$listing" || fail "$installer does not contain cecyber.exe"
grep -q 'MicrosoftEdgeWebview2Setup\.exe' <<<"$listing" || fail "$installer does not carry the WebView2 bootstrapper"
ok "windows: $installer ($(stat -c %s "$installer") bytes) holds cecyber.exe and the WebView2 bootstrapper"
