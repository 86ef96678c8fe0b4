#!/usr/bin/env bash
# with-xvfb.sh CMD [ARG...] runs CMD with DISPLAY set to a private Xvfb that
# is stopped when CMD ends. Xvfb picks a free display number itself and
# reports it once it accepts connections (-displayfd): no fixed :99, no lock
# files to guess from, no race with other X servers starting at the same
# time (xvfb-run -a has all three).
#   tools/with-xvfb.sh ./build/bin/cecyber --demo
# XVFB_SCREEN sets the screen (default 1280x800x24). Exits with CMD's status.
set -euo pipefail
if [ $# -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi
command -v Xvfb >/dev/null || { echo "$0: Xvfb not found: apt-get install -y --no-install-recommends xvfb" >&2; exit 127; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/cecyber-xvfb.XXXXXX")
xpid=
cleanup() {
	if [ -n "$xpid" ]; then kill "$xpid" 2>/dev/null && wait "$xpid" 2>/dev/null || true; fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkfifo "$dir/displayfd"
Xvfb -displayfd 3 -screen 0 "${XVFB_SCREEN:-1280x800x24}" -nolisten tcp \
	3>"$dir/displayfd" </dev/null >"$dir/xvfb.log" 2>&1 &
xpid=$!
# Blocks until Xvfb writes its display number, or gets end-of-file if it dies.
n=
read -r -t 20 n <"$dir/displayfd" || true
if ! [[ "$n" =~ ^[0-9]+$ ]]; then
	echo "$0: Xvfb did not report a display:" >&2
	cat "$dir/xvfb.log" >&2
	exit 1
fi
rc=0
DISPLAY=":$n" "$@" || rc=$?
exit "$rc"
