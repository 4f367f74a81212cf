// map.js turns each drawn world map (an SVG the server made, which stays
// for browsers without JavaScript) into a map that zooms from the world
// to a street: Leaflet, with the country outlines of Natural Earth
// (1:10m, shipped with the node, so it works offline), the node's own
// tile source when its operator configured one, and nearby workshops
// gathered into clusters until one zooms in. A map with data-pick
// writes the clicked place into a form field.
(function () {
	'use strict';
	if (!window.L) return;
	var outlines = null; // one fetch of the country outlines per page

	function countries(url) {
		if (!outlines) {
			outlines = fetch(url).then(function (r) { return r.json(); }).then(function (topo) {
				return topojson.feature(topo, topo.objects.countries);
			});
		}
		return outlines;
	}

	function colour(kind) {
		return { user: '#1d4ed8', chosen: '#e07a1f' }[kind] || '#0f766e';
	}

	function show(wrap) {
		var points = JSON.parse(wrap.dataset.points || '[]');
		var box = document.createElement('div');
		box.className = 'live-map';
		box.setAttribute('role', 'region');
		box.setAttribute('aria-label', (wrap.dataset.label || 'Map') + ' (zoomable)');
		wrap.insertBefore(box, wrap.firstChild);
		// Drawn on a canvas: the 1:10m outlines are many shapes, and the
		// region above names the map for screen readers.
		var map = L.map(box, { worldCopyJump: true, minZoom: 1, maxZoom: 19, zoomSnap: 0.5, preferCanvas: true });
		map.attributionControl.setPrefix('');
		var tiled = wrap.dataset.tiles || wrap.dataset.pmtiles;
		if (wrap.dataset.tiles) {
			L.tileLayer(wrap.dataset.tiles, { maxZoom: 19, attribution: wrap.dataset.tilesCredit || '' }).addTo(map);
		} else if (wrap.dataset.pmtiles && window.pmtiles) {
			// A raster PMTiles archive: one file, read by ranges.
			pmtiles.leafletRasterLayer(new pmtiles.PMTiles(wrap.dataset.pmtiles), { maxZoom: 19, attribution: wrap.dataset.tilesCredit || '' }).addTo(map);
		}
		countries(wrap.dataset.outlines).then(function (geo) {
			var layer = L.geoJSON(geo, { interactive: false, style: { color: '#9ca3af', weight: 0.6, fillColor: '#e5e7eb', fillOpacity: tiled ? 0 : 1 } });
			layer.addTo(map);
			layer.bringToBack();
		}).catch(function () {});
		map.attributionControl.addAttribution('Natural Earth');
		var group = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 }) : L.featureGroup();
		var bounds = [];
		points.forEach(function (p) {
			var m = L.circleMarker([p.lat, p.lon], { radius: p.kind === 'user' ? 8 : 6, color: '#fff', weight: 1.5, fillColor: colour(p.kind), fillOpacity: 0.95 });
			var label = document.createElement('span');
			if (p.link) {
				var a = document.createElement('a');
				a.href = p.link;
				a.textContent = p.label;
				label.appendChild(a);
			} else {
				label.textContent = p.label;
			}
			m.bindPopup(label);
			// Leaflet writes a string tooltip as HTML: names go in as text.
			var tip = document.createElement('span');
			tip.textContent = p.label;
			m.bindTooltip(tip);
			group.addLayer(m);
			bounds.push([p.lat, p.lon]);
		});
		map.addLayer(group);
		if (wrap.dataset.zoom === 'true' && bounds.length) {
			map.fitBounds(bounds, { padding: [30, 30], maxZoom: bounds.length === 1 ? 13 : 12 });
		} else {
			map.setView([20, 10], 1.5);
		}
		var field = wrap.dataset.pick && document.getElementById(wrap.dataset.pick);
		if (field) {
			var chosen = null;
			map.on('click', function (e) {
				var ll = e.latlng.wrap();
				field.value = ll.lat.toFixed(5) + ',' + ll.lng.toFixed(5);
				field.dispatchEvent(new Event('change'));
				if (chosen) map.removeLayer(chosen);
				chosen = L.circleMarker(ll, { radius: 8, color: '#fff', weight: 2, fillColor: colour('user'), fillOpacity: 1 }).addTo(map);
			});
		}
		// The zoom level is kept on the element, for tests and styles.
		var level = function () { wrap.dataset.zoomLevel = String(map.getZoom()); };
		map.on('zoomend', level);
		level();
		var svg = wrap.querySelector('svg.map');
		if (svg) svg.hidden = true;
		wrap.dataset.live = 'true';
	}

	document.querySelectorAll('[data-points]').forEach(show);
})();
