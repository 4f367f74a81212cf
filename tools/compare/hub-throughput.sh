#!/bin/sh
# How a hub scales on this machine: a node of N synthetic designs
# (default 100,000) copied to PostgreSQL by `dgml migrate` (timed), then
# the requests a second that one `dgml serve` process answers, and two
# behind the same database, for the search API and for design pages.
# Everything runs on loopback, on this machine, in one run: the database,
# the dgml processes and the load generator (`dgml load`) share its
# cores, and the report says how many there were.
#
#   tools/compare/hub-throughput.sh            # 100,000 designs, 20 s a run
#   N=20000 FOR=10s tools/compare/hub-throughput.sh
#
# Needs a PostgreSQL server ($DGML_BENCH_PG, default
# postgres://postgres@127.0.0.1:5432, trust auth) where it may create and
# drop the database dgml_hub_bench.
set -eu
cd "$(dirname "$0")/../.."
N=${N:-100000}
FOR=${FOR:-20s}
WORKERS=${WORKERS:-16}
PG=${DGML_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
HUB="$PG/dgml_hub_bench?sslmode=disable"
work=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

go build -o "$work/dgml" ./cmd/dgml

# The benchmarks' kept store of N synthetic designs (made once, then
# reused from the temporary folder).
echo "== a node of $N synthetic designs"
DGML_BENCH_DESIGNS=$N go test ./internal/storetest -run X -bench 'Store/sqlite/none' -benchtime 1x -timeout 3h >/dev/null
mkdir -p "$work/node"
src="${TMPDIR:-/tmp}/dgml-bench-v2-$N.db"
cp "$src" "$work/node/dgml.db"
[ -f "$src-wal" ] && cp "$src-wal" "$work/node/dgml.db-wal"

psql -q "$PG/postgres?sslmode=disable" -c "DROP DATABASE IF EXISTS dgml_hub_bench" -c "CREATE DATABASE dgml_hub_bench"
echo "== dgml migrate"
t0=$(date +%s.%N)
"$work/dgml" migrate --from "$work/node" --to "$HUB"
t1=$(date +%s.%N)
echo "migrate of $N designs: $(echo "$t1 - $t0" | bc) s"

# Every process of a hub opens the node's sealed key with one passphrase.
export DGML_NODE_PASSPHRASE="hub-bench-$$"
serve() { # port
	"$work/dgml" serve --db "$HUB" --data "$work/hub-$1" --addr "127.0.0.1:$1" >"$work/serve-$1.log" 2>&1 &
	pids="$pids $!"
	i=0
	until curl -sf "http://127.0.0.1:$1/healthz" >/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			echo "dgml serve on port $1 did not start:" >&2
			cat "$work/serve-$1.log" >&2
			exit 1
		fi
		sleep 0.2
	done
}

echo "== $(nproc) cores; PostgreSQL, dgml and the load generator share them"
serve 18081
for mix in search page; do
	echo "-- one process, $mix"
	"$work/dgml" load --for "$FOR" --workers "$WORKERS" --mix $mix http://127.0.0.1:18081
done
serve 18082
for mix in search page; do
	echo "-- two processes, $mix"
	"$work/dgml" load --for "$FOR" --workers "$WORKERS" --mix $mix http://127.0.0.1:18081 http://127.0.0.1:18082
done
