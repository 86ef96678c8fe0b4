#!/usr/bin/env bash
# bench-memory.sh: what Cecyber costs at rest, against the empty Wails
# svelte-ts template built the same way, in the same run.
#
#   tools/bench-memory.sh [CECYBER_BINARY]     (make bench-memory builds first)
#
# Each app runs alone (one after the other, template first, so neither shares
# library pages with the other) under its own Xvfb (-displayfd: no fixed
# display number), with its own HOME and XDG folders, inside a private D-Bus
# session with an unlocked gnome-keyring (app/secrets/testdata/with-keyring.sh),
# Cecyber on its demo cluster (--demo) with the inventory open. Once its window
# is mapped, the app idles for BENCH_MEMORY_IDLE seconds (60); then the script
# sums /proc/PID/smaps_rollup over the app's process and all its descendants
# (WebKitWebProcess, WebKitNetworkProcess):
#   pss  proportional set size, shared pages divided among their users: the
#        figure the goal is stated in;
#   rss  resident pages, shared ones counted whole;
#   uss  private pages only: what quitting the app would free, and the figure
#        least moved by whatever else runs on the machine.
# Output is name=value: one line per process, then the totals and
# cecyber_pss_mb=… template_pss_mb=… ratio=… (goal: ratio <= 1.2).
#
# The template is generated with the repo's own Wails CLI (.bin/wails init -n
# tmpl -t svelte-ts) in a temporary folder, its npm packages come from the npm
# registry, and it is built with `wails build -tags webkit2_41 -m -trimpath`,
# as `make build` builds Cecyber. Nothing of it is kept.
#
# Environment: BENCH_MEMORY_IDLE (seconds, default 60), BENCH_MEMORY_TEMPLATE=
# PATH uses a template binary built earlier by this script's recipe (saves the
# minutes of npm and cgo while iterating; the figures of record build it
# fresh), BENCH_MEMORY_KEEP=1
# keeps the work folder (logs, template) and prints where it is,
# BENCH_MEMORY_ENV="NAME=value …" is added to Cecyber's environment only
# (e.g. GODEBUG=gctrace=1 to see its Go heap in the log).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cecyber=${1:-$repo/build/bin/cecyber}
wails=$repo/.bin/wails
keyring=$repo/app/secrets/testdata/with-keyring.sh
idle=${BENCH_MEMORY_IDLE:-60}
out=$repo/build/out
mkdir -p "$out"

for f in "$cecyber" "$wails"; do
	[ -x "$f" ] || { echo "bench-memory: $f is missing; run make bench-memory (it builds both)" >&2; exit 1; }
done
for c in Xvfb xdotool import convert npm; do
	command -v "$c" >/dev/null || { echo "bench-memory: $c not found (tools/setup.sh test installs it)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/cecyber-bench-memory.XXXXXX")
started=() # PIDs this script started, ended by PID on exit

cleanup() {
	local p
	for ((i = ${#started[@]} - 1; i >= 0; i--)); do
		p=${started[i]}
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${started[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ "${BENCH_MEMORY_KEEP:-}" = 1 ]; then
		echo "bench-memory: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the template --------------------------------------------------------

build_template() {
	echo "bench-memory: generating and building the Wails svelte-ts template in $work/tmpl" >&2
	(cd "$work" && "$wails" init -n tmpl -t svelte-ts >"$work/tmpl-init.log" 2>&1) ||
		{ cat "$work/tmpl-init.log" >&2; return 1; }
	(cd "$work/tmpl" && "$wails" build -tags webkit2_41 -m -trimpath >"$work/tmpl-build.log" 2>&1) ||
		{ cat "$work/tmpl-build.log" >&2; return 1; }
	[ -x "$work/tmpl/build/bin/tmpl" ] || { echo "bench-memory: the template did not build" >&2; return 1; }
}

# ---- processes -----------------------------------------------------------

# descendants PID prints PID and every process below it, one per line.
descendants() {
	# "pid ppid" for every process, then a breadth-first walk from root.
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			queue[0] = root; n = 1
			for (i = 0; i < n; i++) {
				print queue[i]
				for (p in parent) if (parent[p] == queue[i]) queue[n++] = p
			}
		}'
}

# appPID WRAPPER BINARY: the PID of BINARY running somewhere below WRAPPER.
appPID() {
	local p exe
	for p in $(descendants "$1"); do
		exe=$(readlink "/proc/$p/exe" 2>/dev/null || true)
		if [ "$exe" = "$(readlink -f "$2")" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# startXvfb NAME: starts an X server on a free display; sets $display.
startXvfb() {
	local fdfile=$work/$1.display
	: >"$fdfile"
	Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fdfile" >"$work/$1.xvfb.log" 2>&1 &
	started+=($!)
	for _ in $(seq 100); do
		if [ -s "$fdfile" ] && grep -q . "$fdfile"; then
			display=:$(head -n1 "$fdfile" | tr -d '[:space:]')
			return 0
		fi
		sleep 0.1
	done
	echo "bench-memory: Xvfb did not start" >&2
	cat "$work/$1.xvfb.log" >&2
	return 1
}

# measure NAME BINARY TITLE [ARG...]: runs the app, lets it idle, then prints
# its processes' memory and sets the totals (KiB) in $tot_pss $tot_rss $tot_uss.
measure() {
	local name=$1 bin=$2 title=$3
	shift 3
	local home=$work/$name-home
	mkdir -p "$home"/{config,data,cache,state}
	startXvfb "$name"
	local extra=()
	if [ "$name" = cecyber ] && [ -n "${BENCH_MEMORY_ENV:-}" ]; then
		read -r -a extra <<<"$BENCH_MEMORY_ENV"
	fi
	# with-keyring.sh clears DISPLAY (an unlock prompt must fail); env puts
	# this run's own back for the app alone.
	"$keyring" env DISPLAY="$display" HOME="$home" \
		XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" \
		XDG_CACHE_HOME="$home/cache" XDG_STATE_HOME="$home/state" \
		LANG=C.UTF-8 "${extra[@]}" "$bin" "$@" >"$work/$name.log" 2>&1 &
	local wrapper=$!
	started+=("$wrapper")

	local win=""
	for _ in $(seq 600); do
		win=$(DISPLAY=$display xdotool search --onlyvisible --name "^$title\$" 2>/dev/null | head -n1 || true)
		[ -n "$win" ] && break
		if ! kill -0 "$wrapper" 2>/dev/null; then break; fi
		sleep 0.1
	done
	if [ -z "$win" ]; then
		echo "bench-memory: the $name window did not appear; its log:" >&2
		tail -n 40 "$work/$name.log" >&2
		return 1
	fi
	local pid
	pid=$(appPID "$wrapper" "$bin") || { echo "bench-memory: $name's process not found" >&2; return 1; }
	echo "bench-memory: $name (pid $pid) window is up on $display; idling ${idle}s" >&2
	sleep "$idle"
	kill -0 "$pid" 2>/dev/null || { echo "bench-memory: $name exited while idle" >&2; tail -n 40 "$work/$name.log" >&2; return 1; }

	# The window must show something (Cecyber: the inventory, not a blank page).
	local shot=$out/bench-memory-$name.png colours
	DISPLAY=$display import -window root "$shot"
	colours=$(convert "$shot" -format %k info:)

	tot_pss=0 tot_rss=0 tot_uss=0
	local p comm pss rss uss anon file
	for p in $(descendants "$pid"); do
		[ -r "/proc/$p/smaps_rollup" ] || continue
		comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		read -r pss rss uss anon file < <(awk '
			/^Pss:/ { pss = $2 } /^Rss:/ { rss = $2 }
			/^Private_Clean:/ { uss += $2 } /^Private_Dirty:/ { uss += $2 }
			/^Pss_Anon:/ { anon = $2 } /^Pss_File:/ { file = $2 }
			END { print pss + 0, rss + 0, uss + 0, anon + 0, file + 0 }' "/proc/$p/smaps_rollup")
		printf '%s.%s pid=%s pss_mb=%s rss_mb=%s uss_mb=%s pss_anon_mb=%s pss_file_mb=%s\n' \
			"$name" "$comm" "$p" "$(mb "$pss")" "$(mb "$rss")" "$(mb "$uss")" "$(mb "$anon")" "$(mb "$file")"
		tot_pss=$((tot_pss + pss)) tot_rss=$((tot_rss + rss)) tot_uss=$((tot_uss + uss))
	done
	printf '%s_screen_colours=%s screenshot=%s\n' "$name" "$colours" "${shot#"$repo"/}"
	if [ "$colours" -lt 50 ]; then
		echo "bench-memory: the $name window looks blank ($colours colours); see $shot" >&2
		return 1
	fi

	# Done with this app: end it (and its X server) before the next starts.
	kill -TERM "$wrapper" "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$wrapper" 2>/dev/null || true
}

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

if [ -n "${BENCH_MEMORY_TEMPLATE:-}" ]; then
	tmpl=$BENCH_MEMORY_TEMPLATE
	[ -x "$tmpl" ] || { echo "bench-memory: BENCH_MEMORY_TEMPLATE=$tmpl is not an executable" >&2; exit 1; }
	echo "bench-memory: using the template already built at $tmpl" >&2
else
	build_template
	tmpl=$work/tmpl/build/bin/tmpl
fi

measure template "$tmpl" tmpl
t_pss=$tot_pss t_rss=$tot_rss t_uss=$tot_uss
measure cecyber "$cecyber" Cecyber --demo
c_pss=$tot_pss c_rss=$tot_rss c_uss=$tot_uss

if [ -n "${BENCH_MEMORY_KEEP:-}" ] || [ -n "${BENCH_MEMORY_ENV:-}" ]; then
	cp "$work/cecyber.log" "$out/bench-memory-cecyber.log"
fi

printf 'idle_seconds=%s\n' "$idle"
printf 'template_rss_mb=%s template_uss_mb=%s\n' "$(mb "$t_rss")" "$(mb "$t_uss")"
printf 'cecyber_rss_mb=%s cecyber_uss_mb=%s\n' "$(mb "$c_rss")" "$(mb "$c_uss")"
printf 'rss_ratio=%s uss_ratio=%s\n' \
	"$(awk -v a="$c_rss" -v b="$t_rss" 'BEGIN { printf "%.2f", a / b }')" \
	"$(awk -v a="$c_uss" -v b="$t_uss" 'BEGIN { printf "%.2f", a / b }')"
ratio=$(awk -v a="$c_pss" -v b="$t_pss" 'BEGIN { printf "%.2f", a / b }')
printf 'cecyber_pss_mb=%s template_pss_mb=%s ratio=%s\n' "$(mb "$c_pss")" "$(mb "$t_pss")" "$ratio"
if awk -v r="$ratio" 'BEGIN { exit !(r <= 1.2) }'; then
	echo "goal=met (ratio <= 1.2)"
else
	echo "goal=missed (ratio > 1.2)"
fi
