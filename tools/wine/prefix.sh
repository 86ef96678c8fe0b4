# Sourced by tools/test-windows.sh and tools/test-windows-installer.sh: sets
# up the private Wine prefix both use and exports WINEPREFIX and friends.
#
# Wine is Debian 12's wine64 (8.0), run as /usr/lib/wine/wine64 in a private
# prefix (.bin/wine/prefix, or CECYBER_WINE_DIR/prefix; made once, about
# 45 s) with WINEDEBUG=-all, reporting Windows 10 as Cecyber requires. Go 1.22
# and later load ProcessPrng from bcryptprimitives.dll before main, which
# Wine 8.0 lacks: tools/wine/bcryptprimitives.c, built here with MinGW,
# answers it with RtlGenRandom and is copied into the prefix's system32. It is
# a test tool and never ships.
# shellcheck shell=bash

wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver
[ -x "$wine" ] || { echo "$0: $wine not found: tools/setup.sh windows installs wine64" >&2; exit 1; }
command -v x86_64-w64-mingw32-gcc >/dev/null ||
	{ echo "$0: x86_64-w64-mingw32-gcc not found: tools/setup.sh windows installs gcc-mingw-w64-x86-64-win32" >&2; exit 1; }

wine_dir=${CECYBER_WINE_DIR:-$PWD/.bin/wine}
mkdir -p "$wine_dir"
export WINEPREFIX=$wine_dir/prefix WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko install prompts: nothing here needs .NET or MSHTML.
export WINEDLLOVERRIDES='mscoree,mshtml='

wine_dll=$wine_dir/bcryptprimitives.dll
if [ ! -f "$wine_dll" ] || [ tools/wine/bcryptprimitives.c -nt "$wine_dll" ]; then
	x86_64-w64-mingw32-gcc -O2 -shared -s -o "$wine_dll" tools/wine/bcryptprimitives.c -ladvapi32
fi
if [ ! -f "$WINEPREFIX/.cecyber-ready" ]; then
	echo "$0: creating the Wine prefix $WINEPREFIX (once, about a minute)"
	{ "$wine" wineboot --init && "$wine" winecfg -v win10 && "$wineserver" -w; } >"$wine_dir/wineboot.log" 2>&1 ||
		{ cat "$wine_dir/wineboot.log" >&2; echo "$0: creating the Wine prefix failed" >&2; exit 1; }
	touch "$WINEPREFIX/.cecyber-ready"
fi
cmp -s "$wine_dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ||
	cp "$wine_dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
