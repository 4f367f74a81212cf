#!/usr/bin/env bash
# Side by side: dgml's FDM estimate against PrusaSlicer's own, on the same
# files with the same settings (fdm.ini), and the wall time of both.
#   tools/compare/compare-prusaslicer.sh [MESH_DIR]
# Needs prusa-slicer (Debian package) and Go. Prints a table, the median
# absolute differences and the speed ratio.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${1:-$root/../shared/data/meshes/prusa-i3-mk3s}
command -v prusa-slicer >/dev/null || { echo "prusa-slicer is not installed: apt-get install prusa-slicer" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/dgml" ./cmd/dgml)

# shellcheck source=lib.sh
. "$here/lib.sh"

start=$(date +%s.%N)
for f in "$dir"/*.stl; do
	b=$(basename "$f")
	prusa-slicer --export-gcode --load "$here/fdm.ini" -o "$work/$b.gcode" "$f" >/dev/null 2>&1
	printf '%s\t%s\n' "$b" "$(ps_result "$work/$b.gcode")" >>"$work/ps.tsv"
done
ps_wall=$(echo "$(date +%s.%N) - $start" | bc)

start=$(date +%s.%N)
"$work/dgml" mesh estimate --process fdm --config "$here/fdm.ini" --json "$dir"/*.stl >"$work/dgml.json"
dgml_wall=$(echo "$(date +%s.%N) - $start" | bc)
dgml_results "$work/dgml.json" | sort >"$work/dgml.tsv"

sort "$work/ps.tsv" | join -t $'\t' - "$work/dgml.tsv" >"$work/both.tsv"
printf '%-40s %10s %10s %8s   %9s %9s %8s\n' part "PS time s" "dgml s" diff "PS g" "dgml g" diff
awk -F'\t' '{
	dt = ($4 - $2) / $2 * 100; dm = ($3 > 0) ? ($5 - $3) / $3 * 100 : 0
	printf "%-40s %10.0f %10.0f %+7.1f%%   %9.2f %9.2f %+7.1f%%\n", $1, $2, $4, dt, $3, $5, dm
}' "$work/both.tsv"
median() { sort -n | awk '{v[NR] = $1} END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'; }
mt=$(awk -F'\t' '{d = ($4 - $2) / $2 * 100; print (d < 0) ? -d : d}' "$work/both.tsv" | median)
mm=$(awk -F'\t' '$3 > 0 {d = ($5 - $3) / $3 * 100; print (d < 0) ? -d : d}' "$work/both.tsv" | median)
n=$(wc -l <"$work/both.tsv")
printf '\n%d parts. median |time difference| %.1f%% (target <= 15%%), median |mass difference| %.1f%% (target <= 10%%)\n' "$n" "$mt" "$mm"
printf 'wall time: PrusaSlicer %.1f s, dgml %.2f s: dgml %.1fx faster (target >= 10x)\n' "$ps_wall" "$dgml_wall" "$(echo "$ps_wall / $dgml_wall" | bc -l)"
