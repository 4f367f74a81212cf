#!/usr/bin/env bash
# Big meshes, one process each, on a quiet machine: `dgml mesh info`
# against admesh (wall time and peak memory), and `dgml mesh estimate`
# against PrusaSlicer 2.5 slicing the same file with the same settings
# (fdm.ini), on a torus and a sphere of five million triangles each that
# tools/compare/gen writes.
#   tools/compare/compare-big.sh
# Needs admesh, prusa-slicer and GNU time (Debian packages) and Go.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for c in admesh prusa-slicer; do command -v $c >/dev/null || { echo "$c is not installed: apt-get install $c" >&2; exit 1; }; done
[ -x /usr/bin/time ] || { echo "GNU time is not installed: apt-get install time" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/dgml" ./cmd/dgml && go build -o "$work/gen" ./tools/compare/gen)
"$work/gen" -set big -out "$work" >/dev/null
measure() { /usr/bin/time -f '%e %M' -o "$work/t" "$@" >"$work/out" 2>/dev/null; cat "$work/t"; }
printf '%-14s %-22s %10s %12s\n' mesh tool "wall s" "peak MiB"
for f in "$work"/*.stl; do
	b=$(basename "$f")
	read -r aw am < <(measure admesh "$f")
	read -r dw dm < <(measure "$work/dgml" mesh info "$f")
	printf '%-14s %-22s %10.2f %12.0f\n' "$b" "admesh" "$aw" "$((am / 1024))"
	printf '%-14s %-22s %10.2f %12.0f   (%.2fx admesh'"'"'s speed, %.2fx its memory)\n' "$b" "dgml mesh info" "$dw" "$((dm / 1024))" "$(echo "$aw / $dw" | bc -l)" "$(echo "$dm / $am" | bc -l)"
	read -r pw pm < <(measure prusa-slicer --export-gcode --load "$here/fdm.ini" -o "$work/$b.gcode" "$f")
	read -r ew em < <(measure "$work/dgml" mesh estimate --process fdm --config "$here/fdm.ini" "$f")
	printf '%-14s %-22s %10.2f %12.0f\n' "$b" "prusa-slicer slice" "$pw" "$((pm / 1024))"
	printf '%-14s %-22s %10.2f %12.0f   (%.1fx faster)\n' "$b" "dgml mesh estimate" "$ew" "$((em / 1024))" "$(echo "$pw / $ew" | bc -l)"
done
echo "Goals (issue 15): mesh info at least as fast as admesh with at most 1.5x its memory; estimates at least 20x faster than PrusaSlicer."
