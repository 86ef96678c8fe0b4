#!/usr/bin/env bash
# icons.sh ICONPACK renders the app icon for every platform from its vector
# sources; `make icons` runs it and the results are committed, so that builds
# need neither rsvg-convert nor this script.
#   build/appicon.svg        the icon, drawn for 48 px and up
#   build/appicon-small.svg  the same mark on the pixel grid, for 16 to 32 px
# Writes build/appicon.png (1024 px), build/windows/icon.ico,
# build/darwin/iconfile.icns and the hicolor PNGs in build/linux/icons/ (the
# 256 px one is also the window icon main.go embeds). rsvg-convert writes no timestamps: same input, same bytes.
set -euo pipefail
iconpack=$1
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in 16 24 32; do rsvg-convert -w "$s" -h "$s" build/appicon-small.svg -o "$tmp/$s.png"; done
for s in 48 64 128 256 512 1024; do rsvg-convert -w "$s" -h "$s" build/appicon.svg -o "$tmp/$s.png"; done

cp "$tmp/1024.png" build/appicon.png
"$iconpack" -ico build/windows/icon.ico "$tmp"/{16,24,32,48,64,128,256}.png
# The 32 px image fills the 16 pt slot of a Retina screen.
"$iconpack" -icns build/darwin/iconfile.icns "$tmp"/{32,64,128,256,512,1024}.png
for s in 16 32 48 64 128 256 512; do
	install -D -m 644 "$tmp/$s.png" "build/linux/icons/${s}x${s}/cecyber.png"
done
echo "icons: build/appicon.png build/windows/icon.ico build/darwin/iconfile.icns build/linux/icons/*/cecyber.png"
