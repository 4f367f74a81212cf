#!/usr/bin/env bash
# vendor.sh fetches the browser libraries the web interface embeds, at
# pinned versions, from the npm registry, checks each package against
# the integrity the registry published for it, and copies the files the
# pages use (with each package's licence) into web/static/vendor. The
# node needs no network at run time: run this only to change a version,
# and commit what it writes.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name@version and the sha512 integrity npm publishes for its tarball.
packages=(
	"three@0.187.0"
	"leaflet@1.9.4"
	"leaflet.markercluster@1.5.3"
	"world-atlas@2.0.2"
	"topojson-client@3.1.0"
	"pmtiles@4.5.0"
)

for p in "${packages[@]}"; do
	want=$(npm view "$p" dist.integrity)
	(cd "$work" && npm pack --silent "$p" >/dev/null)
	tgz="$work/$(echo "${p%@*}" | tr -d '@' | tr '/' '-')-${p##*@}.tgz"
	got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
	if [ "$got" != "$want" ]; then
		echo "vendor: $p does not match the registry's integrity ($got, want $want)" >&2
		exit 1
	fi
	mkdir -p "$work/${p%@*}"
	tar xzf "$tgz" -C "$work/${p%@*}"
	echo "vendor: $p $want"
done

rm -rf "$out"
mkdir -p "$out/three" "$out/leaflet/images" "$out/world"

t="$work/three/package"
cp "$t/LICENSE" "$out/three/LICENSE"
cp "$t/build/three.module.js" "$t/build/three.core.js" "$out/three/"
for f in loaders/STLLoader.js loaders/OBJLoader.js loaders/3MFLoader.js controls/OrbitControls.js libs/fflate.module.js utils/BufferGeometryUtils.js; do
	cp "$t/examples/jsm/$f" "$out/three/$(basename "$f")"
done
# The examples import "three" by name, which a browser resolves only with
# an import map (an inline script, refused by the pages' CSP); they
# import it from the file next to them instead.
sed -i -e "s#from 'three'#from './three.module.js'#" \
	-e "s#from '../libs/fflate.module.js'#from './fflate.module.js'#" \
	-e "s#from '../utils/BufferGeometryUtils.js'#from './BufferGeometryUtils.js'#" "$out"/three/*.js
if grep -n "from '\.\./" "$out"/three/*.js; then
	echo "vendor: an import still leaves the folder" >&2
	exit 1
fi

l="$work/leaflet/package"
cp "$l/LICENSE" "$out/leaflet/LICENSE"
cp "$l/dist/leaflet.js" "$l/dist/leaflet.css" "$out/leaflet/"
cp "$l/dist/images/"*.png "$out/leaflet/images/"
m="$work/leaflet.markercluster/package"
cp "$m/MIT-LICENCE.txt" "$out/leaflet/LICENSE.markercluster" 2>/dev/null || cp "$m"/LICEN* "$out/leaflet/LICENSE.markercluster"
cp "$m/dist/leaflet.markercluster.js" "$m/dist/MarkerCluster.css" "$m/dist/MarkerCluster.Default.css" "$out/leaflet/"

w="$work/world-atlas/package"
cp "$w/LICENSE" "$out/world/LICENSE"
cp "$w/countries-10m.json" "$out/world/"
c="$work/topojson-client/package"
cp "$c/LICENSE" "$out/world/LICENSE.topojson-client"
cp "$c/dist/topojson-client.min.js" "$out/world/"

p="$work/pmtiles/package"
mkdir -p "$out/pmtiles"
cp "$p/dist/pmtiles.js" "$out/pmtiles/"
# The package ships no licence file; its package.json names BSD-3-Clause
# and its author, whose notice this is.
author=$(node -p "require('$p/package.json').author")
license=$(node -p "require('$p/package.json').license")
[ "$license" = "BSD-3-Clause" ] || { echo "vendor: pmtiles is now $license: check its terms" >&2; exit 1; }
cat > "$out/pmtiles/LICENSE" <<EOL
BSD 3-Clause License (as package.json of pmtiles@4.5.0 states)

Copyright (c) $author

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
EOL

cat > "$out/README.md" <<EOR
# Vendored browser libraries

Written by tools/vendor/vendor.sh from the npm registry; each package was
checked against the integrity the registry publishes. Do not edit: change
the versions in the script and run it again.

$(for p in "${packages[@]}"; do echo "- $p"; done)

Licences: three.js (MIT, three/LICENSE), Leaflet (BSD-2-Clause,
leaflet/LICENSE), Leaflet.markercluster (MIT, leaflet/LICENSE.markercluster),
world-atlas (ISC, world/LICENSE; its data is Natural Earth, public
domain), topojson-client (ISC, world/LICENSE.topojson-client), pmtiles
(BSD-3-Clause, pmtiles/LICENSE).
EOR
du -sh "$out"
