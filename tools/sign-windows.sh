#!/usr/bin/env bash
# sign-windows.sh FILE... signs Windows executables in place with Authenticode
# (osslsigncode), for make build-windows, which also hands it to makensis to
# sign the installer and the uninstaller as they are written.
#   CECYBER_SIGN_PFX            the code-signing certificate and key (.pfx / .p12)
#   CECYBER_SIGN_PASSWORD       its password (may be empty)
#   CECYBER_SIGN_TIMESTAMP_URL  an RFC 3161 timestamp server (optional; without
#                               one the signature ends when the certificate does)
set -euo pipefail
: "${CECYBER_SIGN_PFX:?sign-windows.sh: set CECYBER_SIGN_PFX to the .pfx file to sign with}"
if [ ! -r "$CECYBER_SIGN_PFX" ]; then
	echo "sign-windows.sh: cannot read CECYBER_SIGN_PFX=$CECYBER_SIGN_PFX" >&2
	exit 1
fi
command -v osslsigncode >/dev/null || { echo "sign-windows.sh: osslsigncode is missing (tools/setup.sh package)" >&2; exit 1; }

ts=()
if [ -n "${CECYBER_SIGN_TIMESTAMP_URL:-}" ]; then ts=(-ts "$CECYBER_SIGN_TIMESTAMP_URL"); fi
# The password goes through a file, not the command line other users can read.
passfile=$(mktemp)
trap 'rm -f "$passfile"' EXIT
printf '%s' "${CECYBER_SIGN_PASSWORD:-}" >"$passfile"
for f in "$@"; do
	osslsigncode sign -pkcs12 "$CECYBER_SIGN_PFX" -readpass "$passfile" -h sha256 \
		-n Cecyber "${ts[@]}" -in "$f" -out "$f.signed" >/dev/null
	mv -f "$f.signed" "$f"
	echo "signed $f"
done
