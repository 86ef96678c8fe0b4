#!/usr/bin/env bash
# setup.sh GROUP... installs what the named groups need and is missing, and
# nothing else, so that running it again is instant.
#   build    compilers and libraries to build the app (GTK 3, WebKitGTK 4.1)
#   check    the build group plus a Secret Service (dbus, gnome-keyring) and
#            ShellCheck: what make check needs
#   test     the build group plus what the tests drive: Xvfb, Chromium, ImageMagick,
#            a Secret Service (gnome-keyring), QEMU for a real VNC server, and
#            ShellCheck, which make lint-workflows runs on the workflow's scripts
#   bench    the peers the benchmarks measure against (websockify)
#   icons    rsvg-convert, to render build/appicon.svg (make icons)
#   package  makensis for the Windows installer, osslsigncode to sign it; file,
#            7z and desktop-file-validate to inspect what was built
#            (make build-windows, make package-linux, make test-package)
#   windows  Wine (Debian's wine64) to run the Windows test binaries and the
#            installer, and MinGW to build the bcryptprimitives.dll shim that
#            Wine 8.0 lacks (make test-windows)
# As root it installs the missing Debian packages itself; as any other user it
# prints the exact apt-get command to run and stops.
set -euo pipefail

build_pkgs=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev)
# dbus and gnome-keyring give the tests a real Secret Service; never dbus-x11,
# which makes go-keyring start a locked keyring instead of failing clearly.
# qemu-system-x86 backs one console test with a real QEMU, as on Proxmox.
# dunst is a real notification server for the alerts test (OS notifications);
# openbox a real window manager, to minimise the real window.
# xvfb, xdotool and x11-utils (xmessage) show the native dialog a start-up
# failure falls back to (app/desktop's test); util-linux's unshare mounts
# the small tmpfs the full-disk and read-only tests run on.
check_pkgs=(dbus gnome-keyring shellcheck xvfb xdotool x11-utils util-linux)
test_pkgs=(xvfb xauth xdotool x11-utils util-linux imagemagick chromium fonts-dejavu-core dbus gnome-keyring qemu-system-x86 dunst openbox shellcheck)
icons_pkgs=(librsvg2-bin)
package_pkgs=(nsis osslsigncode file p7zip-full desktop-file-utils)
windows_pkgs=(wine64 gcc-mingw-w64-x86-64-win32)

want=()
for group in "$@"; do
	case "$group" in
	build) want+=("${build_pkgs[@]}") ;;
	check) want+=("${build_pkgs[@]}" "${check_pkgs[@]}") ;;
	test) want+=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
	bench) want+=(websockify) ;; # the peer make bench-console compares against
	icons) want+=("${icons_pkgs[@]}") ;;
	package) want+=("${package_pkgs[@]}") ;;
	windows) want+=("${windows_pkgs[@]}") ;;
	*) echo "setup.sh: unknown group $group (want build, check, test, bench, icons, package or windows)" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# De-duplicate while keeping order.
if [ ${#missing[@]} -gt 0 ]; then
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
fi

if [ ${#missing[@]} -gt 0 ]; then
	cmd="apt-get install -y --no-install-recommends ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "Cecyber needs these Debian packages: ${missing[*]}" >&2
		echo "Install them with:" >&2
		echo "  sudo apt-get update && sudo $cmd" >&2
		exit 1
	fi
	echo "setup: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	$cmd >/dev/null
fi

# Toolchains that do not come from apt here: say what is wrong instead of
# failing later with a confusing compiler error.
need_go=1.26
if ! command -v go >/dev/null 2>&1; then
	echo "setup: Go $need_go or newer is required (https://go.dev/dl/), and 'go' must be on PATH." >&2
	exit 1
fi
have_go=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$need_go" "$have_go" | sort -V | head -n1)" != "$need_go" ]; then
	echo "setup: Go $need_go or newer is required; this machine has $have_go." >&2
	exit 1
fi
need_node=20.19.0
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "setup: Node.js $need_node or newer (with npm) is required for the frontend build." >&2
	exit 1
fi
have_node=$(node --version | sed 's/^v//')
if [ "$(printf '%s\n%s\n' "$need_node" "$have_node" | sort -V | head -n1)" != "$need_node" ]; then
	echo "setup: Node.js $need_node or newer is required (Vite 8); this machine has $have_node." >&2
	exit 1
fi
