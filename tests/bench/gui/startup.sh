#!/usr/bin/env bash
# Cold start to first painted window of lora-explorer, N runs, medians on one JSON line.
#
#   bash tests/bench/gui/startup.sh [BINARY] [N]
#       BINARY  default build/app/lora-explorer (or $LORA_BUILD_DIR/app/lora-explorer)
#       N       default 10
#
# Each run is a fresh process with `--startup-time`, which prints {"first_paint_ms": …}
# measured from the kernel's start time of the process to the end of the first paint of the
# main window. Around it the script takes its own wall clock (fork + exec to exit, so it also
# counts tearing the window down). Runs use a throwaway XDG_CONFIG_HOME, so every start sees
# the default settings rather than a previous session's. Without a display it uses Xvfb
# (one server for all runs, so its own start-up is not counted) if xvfb-run exists, else
# QT_QPA_PLATFORM=offscreen; set QT_QPA_PLATFORM yourself to force one.
# "Cold" means a new process; the page cache stays warm (dropping it needs root and slows
# every other process on the machine).
set -euo pipefail

build="${LORA_BUILD_DIR:-build}"
bin="${1:-$build/app/lora-explorer}"
runs="${2:-10}"
[[ -x "$bin" ]] || { echo "startup.sh: no executable $bin" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

if [[ -z "${STARTUP_SH_INNER:-}" && -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" &&
      -z "${QT_QPA_PLATFORM:-}" ]] && command -v xvfb-run > /dev/null; then
    exec env STARTUP_SH_INNER=1 xvfb-run -a -s "-screen 0 1920x1080x24" bash "$0" "$bin" "$runs"
fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
    export QT_QPA_PLATFORM=offscreen
fi
platform="${QT_QPA_PLATFORM:-xcb}"

config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT
export XDG_CONFIG_HOME="$config"

internal=()
external=()
for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    line=$("$bin" --startup-time 2> /dev/null | tail -n 1)
    end=$(date +%s%N)
    ms=$(sed -n 's/.*"first_paint_ms": *\([0-9.]*\).*/\1/p' <<< "$line")
    [[ -n "$ms" ]] || { echo "startup.sh: run $i printed no first_paint_ms: $line" >&2; exit 1; }
    internal+=("$ms")
    external+=("$(( (end - start) / 1000 ))")
    echo "run $i: $line (wall $(( (end - start) / 1000000 )) ms)" >&2
done

median() { # of numbers on stdin, one per line
    sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'
}
first_paint=$(printf '%s\n' "${internal[@]}" | median)
wall_us=$(printf '%s\n' "${external[@]}" | median)
max_first_paint=$(printf '%s\n' "${internal[@]}" | sort -g | tail -n 1)
printf '{"platform": "%s", "runs": %d, "first_paint_median_ms": %s, "first_paint_max_ms": %s, "wall_median_ms": %.1f}\n' \
    "$platform" "$runs" "$first_paint" "$max_first_paint" "$(awk "BEGIN {print $wall_us / 1000}")"
