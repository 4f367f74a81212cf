#!/usr/bin/env bash
# dgml's FDM estimate against PrusaSlicer 2.5's, per setting set, on the
# shared Prusa MK3S corpus and on parts generated here
# (tools/compare/gen: thin-walled towers, tubes and vases, plates, hollow
# boxes, bridges, overhangs, spheres, tori, tiny parts, gears, perforated
# plates), and on a holdout of the same kinds and a few more at sizes
# drawn from a fixed seed (gen -set holdout), which no tuning has seen;
# DGML_HOLDOUT_SEED=N draws a fresh holdout.
# Each set in tools/compare/sets/*.ini is laid over fdm.ini for both
# tools. Prints, per set and per group of parts, the median and 90th
# percentile of |time| and |mass| difference; -v adds every part.
#   tools/compare/compare-fdm-sets.sh [-v] [SET.ini...]
# Needs prusa-slicer (Debian package) and Go. PrusaSlicer's results are
# kept in $DGML_COMPARE_CACHE (default ~/.cache/dgml-compare) by set and
# file content, so a second run re-runs only dgml.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
verbose=0
if [ "${1:-}" = "-v" ]; then verbose=1; shift; fi
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=("$here"/sets/*.ini)
corpus=${DGML_CORPUS:-$root/../shared/data/meshes/prusa-i3-mk3s}
command -v prusa-slicer >/dev/null || { echo "prusa-slicer is not installed: apt-get install prusa-slicer" >&2; exit 1; }
cache=${DGML_COMPARE_CACHE:-$HOME/.cache/dgml-compare}
mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/dgml" ./cmd/dgml && go build -o "$work/gen" ./tools/compare/gen)
mkdir -p "$work/gen-parts" "$work/holdout-parts"
"$work/gen" -out "$work/gen-parts" >/dev/null
"$work/gen" -set holdout -seed "${DGML_HOLDOUT_SEED:-20261203}" -out "$work/holdout-parts" >/dev/null
parts=()
[ -d "$corpus" ] && parts+=("$corpus"/*.stl)
parts+=("$work/gen-parts"/*.stl "$work/holdout-parts"/*.stl)

# shellcheck source=lib.sh
. "$here/lib.sh"
export -f ps_result

stats() { # column of |differences| in % -> "median p90"
	sort -n | awk '{v[NR]=$1} END {if (NR==0) {print "- -"; exit}; m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; p=v[int(0.9*NR+0.999)]; printf "%.1f %.1f\n", m, p}'
}

printf '%-22s %-9s %5s  %16s  %16s\n' set parts n "time med / p90" "mass med / p90"
for set in "${sets[@]}"; do
	name=$(basename "$set" .ini)
	# The set's keys replace fdm.ini's (PrusaSlicer refuses a key twice).
	awk -F' *= *' '/^[a-z_0-9]+ *=/ { if (!($1 in v)) order[++n] = $1; v[$1] = $0 } END { for (i = 1; i <= n; i++) print v[order[i]] }' \
		"$here/fdm.ini" "$set" >"$work/$name.ini"
	key=$(sha256sum "$work/$name.ini" | cut -c1-16)
	: >"$work/$name.ps.tsv"
	todo=()
	for f in "${parts[@]}"; do
		h=$(sha256sum "$f" | cut -c1-16)
		if [ -s "$cache/$key-$h" ]; then
			printf '%s\t%s\n' "$(basename "$f")" "$(cat "$cache/$key-$h")" >>"$work/$name.ps.tsv"
		else
			todo+=("$f")
		fi
	done
	if [ ${#todo[@]} -gt 0 ]; then
		printf '%s\n' "${todo[@]}" | xargs -P 2 -I{} bash -c '
			f={}; out='"$work"'/$(basename "$f").'"$name"'.gcode
			prusa-slicer --export-gcode --load '"$work/$name.ini"' -o "$out" "$f" >/dev/null 2>&1 || exit 0
			h=$(sha256sum "$f" | cut -c1-16)
			ps_result "$out" >'"$cache/$key"'-$h
			rm -f "$out"'
		for f in "${todo[@]}"; do
			h=$(sha256sum "$f" | cut -c1-16)
			[ -s "$cache/$key-$h" ] && printf '%s\t%s\n' "$(basename "$f")" "$(cat "$cache/$key-$h")" >>"$work/$name.ps.tsv"
		done
	fi
	"$work/dgml" mesh estimate --process fdm --config "$work/$name.ini" --json "${parts[@]}" >"$work/$name.json" 2>"$work/$name.err" || true
	dgml_results "$work/$name.json" | sort >"$work/$name.dgml.tsv"
	sort "$work/$name.ps.tsv" | join -t $'\t' - "$work/$name.dgml.tsv" >"$work/$name.both.tsv"
	for group in corpus generated holdout all; do
		case $group in
		corpus) sel() { awk -F'\t' 'NR==FNR {gen[$1]; next} !($1 in gen)' <(ls "$work/gen-parts" "$work/holdout-parts") "$work/$name.both.tsv"; } ;;
		generated) sel() { awk -F'\t' 'NR==FNR {gen[$1]; next} $1 in gen' <(ls "$work/gen-parts") "$work/$name.both.tsv"; } ;;
		holdout) sel() { awk -F'\t' 'NR==FNR {gen[$1]; next} $1 in gen' <(ls "$work/holdout-parts") "$work/$name.both.tsv"; } ;;
		all) sel() { cat "$work/$name.both.tsv"; } ;;
		esac
		n=$(sel | wc -l)
		[ "$n" -gt 0 ] || continue
		read -r tm tp < <(sel | awk -F'\t' '{d=($4-$2)/$2*100; print (d<0)?-d:d}' | stats)
		read -r mm mp < <(sel | awk -F'\t' '$3>0 {d=($5-$3)/$3*100; print (d<0)?-d:d}' | stats)
		printf '%-22s %-9s %5d  %7s%% / %5s%%  %7s%% / %5s%%\n' "$name" "$group" "$n" "$tm" "$tp" "$mm" "$mp"
	done
	if [ $verbose = 1 ]; then
		awk -F'\t' '{dt=($4-$2)/$2*100; dm=($3>0)?($5-$3)/$3*100:0; printf "    %-40s %8.0f s %8.0f s %+6.1f%%  %8.2f g %8.2f g %+6.1f%%\n", $1, $2, $4, dt, $3, $5, dm}' "$work/$name.both.tsv"
	fi
	[ -s "$work/$name.err" ] && sed 's/^/    dgml: /' "$work/$name.err" | head -5
done
echo "Goal (issue 15): median under 7%, 90th percentile under 15%, on every set."
