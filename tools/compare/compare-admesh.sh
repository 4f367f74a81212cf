#!/usr/bin/env bash
# Wall time and peak memory of `dgml mesh info` over a folder of meshes
# against admesh computing its statistics on the same files.
#   tools/compare/compare-admesh.sh [MESH_DIR]
# Needs admesh and GNU time (Debian packages admesh, time) and Go.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${1:-$root/../shared/data/meshes/prusa-i3-mk3s}
command -v admesh >/dev/null || { echo "admesh is not installed: apt-get install admesh" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is not installed: apt-get install time" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/dgml" ./cmd/dgml)
files=("$dir"/*.stl)
bytes=$(cat "${files[@]}" | wc -c)

best() { sort -n | head -1; }
for run in 1 2 3; do
	start=$(date +%s.%N)
	peak=0
	for f in "${files[@]}"; do
		kb=$( { /usr/bin/time -f '%M' admesh "$f" >/dev/null; } 2>&1 | tail -1)
		[ "$kb" -gt "$peak" ] && peak=$kb
	done
	echo "$(echo "$(date +%s.%N) - $start" | bc) $peak" >>"$work/admesh.times"
	/usr/bin/time -f '%e %M' -o "$work/t" "$work/dgml" mesh info "${files[@]}" >/dev/null
	cat "$work/t" >>"$work/dgml.times"
done
read -r aw ak < <(sort -n "$work/admesh.times" | head -1)
read -r dw dk < <(sort -n "$work/dgml.times" | head -1)
printf '%d files, %.1f MB\n' "${#files[@]}" "$(echo "$bytes / 1000000" | bc -l)"
printf 'admesh (one run per file): %.2f s wall, peak %d KiB (the largest single file)\n' "$aw" "$ak"
printf 'dgml mesh info (all files in one run): %.2f s wall, peak %d KiB\n' "$dw" "$dk"
printf 'dgml is %.1fx as fast as admesh (best of 3 runs each)\n' "$(echo "$aw / $dw" | bc -l)"
