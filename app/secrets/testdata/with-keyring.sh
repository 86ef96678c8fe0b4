#!/bin/sh
# with-keyring.sh CMD [ARG...]
#
# Runs CMD in a fresh, private D-Bus session with a real Secret Service: a
# gnome-keyring daemon whose login keyring is new and unlocked. Nothing of
# the caller's own session or keyrings is used or touched; everything lives
# in a temporary directory removed afterwards. Exits with CMD's status.
#
#   app/secrets/testdata/with-keyring.sh go test ./...
#
# Needs: apt-get install -y --no-install-recommends dbus gnome-keyring
# (not dbus-x11: with it go-keyring silently spawns a locked daemon when
# there is no session bus, instead of failing).
set -eu

if [ $# -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi
for c in dbus-run-session gnome-keyring-daemon; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "$0: $c not found; install it: apt-get install -y --no-install-recommends dbus gnome-keyring" >&2
		exit 127
	fi
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/cecyber-keyring.XXXXXX") # mode 0700, as XDG_RUNTIME_DIR must be
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A fresh XDG_DATA_HOME: an existing login keyring with another password
# could not be unlocked headless. No DISPLAY: an unlock prompt must fail,
# not open a window and wait.
rc=0
env -u DISPLAY -u WAYLAND_DISPLAY XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$dir" \
	dbus-run-session -- sh -c '
		# The daemon outlives this shell now and then: it must not hold the
		# caller'"'"'s stdout or stderr open (CI waits for them to close).
		echo cecyber-test | gnome-keyring-daemon --unlock --components=secrets \
			>/dev/null 2>"$XDG_RUNTIME_DIR/daemon.log" || {
			echo "with-keyring.sh: gnome-keyring-daemon failed to start:" >&2
			cat "$XDG_RUNTIME_DIR/daemon.log" >&2
			exit 1
		}
		exec "$@"
	' with-keyring.sh "$@" || rc=$?
exit "$rc"
