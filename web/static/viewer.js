// viewer.js draws a part's mesh (STL, OBJ or 3MF, fetched from this
// node) in every element with a data-viewer attribute: orbit with the
// mouse or a finger, zoom with the wheel or a pinch, and a button that
// turns the part to the print orientation the node suggests. The page
// says the part's measured size in its own text, so nothing here is
// needed to read it.
import * as THREE from './vendor/three/three.module.js';
import { OrbitControls } from './vendor/three/OrbitControls.js';
import { STLLoader } from './vendor/three/STLLoader.js';
import { OBJLoader } from './vendor/three/OBJLoader.js';
import { ThreeMFLoader } from './vendor/three/3MFLoader.js';

// Rotations that bring each axis up (+Z up, as on a printer's bed).
const up = {
	'+z': [0, 0, 0], '-z': [Math.PI, 0, 0],
	'+x': [0, -Math.PI / 2, 0], '-x': [0, Math.PI / 2, 0],
	'+y': [Math.PI / 2, 0, 0], '-y': [-Math.PI / 2, 0, 0],
};

function parse(name, buf) {
	const ext = name.toLowerCase().split('.').pop();
	const material = new THREE.MeshStandardMaterial({ color: 0xe07a1f, roughness: 0.6, metalness: 0.05 });
	if (ext === 'stl') {
		const g = new STLLoader().parse(buf);
		g.computeVertexNormals();
		return new THREE.Mesh(g, material);
	}
	let obj;
	if (ext === 'obj') obj = new OBJLoader().parse(new TextDecoder().decode(buf));
	else if (ext === '3mf') obj = new ThreeMFLoader().parse(buf);
	else throw new Error('cannot show .' + ext + ' files');
	obj.traverse((c) => { if (c.isMesh) c.material = material; });
	return obj;
}

async function show(el) {
	const status = el.querySelector('.viewer-status');
	const say = (t) => { if (status) status.textContent = t; };
	say('Loading the mesh…');
	let part;
	try {
		const res = await fetch(el.dataset.viewer);
		if (!res.ok) throw new Error('the node answered ' + res.status);
		part = parse(el.dataset.name || el.dataset.viewer, await res.arrayBuffer());
	} catch (e) {
		say('The mesh could not be shown: ' + e.message + '. Download it instead.');
		return;
	}
	const width = el.clientWidth || 480, height = Math.round(Math.min(width * 0.75, 420));
	let renderer;
	try {
		// preserveDrawingBuffer keeps the last picture readable, for a
		// screenshot or a test that the viewer drew.
		renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
	} catch (e) {
		say('This browser cannot draw 3D (WebGL is off). Download the file to see it.');
		return;
	}
	renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
	renderer.setSize(width, height);
	renderer.domElement.setAttribute('role', 'img');
	renderer.domElement.setAttribute('aria-label', el.dataset.label || '3D view of the part');
	el.insertBefore(renderer.domElement, el.firstChild);

	const scene = new THREE.Scene();
	scene.background = new THREE.Color(0xf4f4f5);
	scene.add(new THREE.HemisphereLight(0xffffff, 0x888888, 2.2));
	const sun = new THREE.DirectionalLight(0xffffff, 1.6);
	sun.position.set(1, -1.5, 2);
	scene.add(sun);
	const holder = new THREE.Group();
	holder.add(part);
	scene.add(holder);
	const camera = new THREE.PerspectiveCamera(40, width / height, 0.1, 100000);
	camera.up.set(0, 0, 1);
	const controls = new OrbitControls(camera, renderer.domElement);
	controls.enableDamping = false;
	let grid;

	// place sets the part on the bed (its lowest point at z = 0, centred)
	// turned so that the given axis points up, and frames it.
	function place(axis) {
		const r = up[axis] || up['+z'];
		part.rotation.set(r[0], r[1], r[2]);
		part.position.set(0, 0, 0);
		part.updateMatrixWorld(true);
		const box = new THREE.Box3().setFromObject(part);
		const c = box.getCenter(new THREE.Vector3());
		part.position.set(-c.x, -c.y, -box.min.z);
		const size = box.getSize(new THREE.Vector3());
		const span = Math.max(size.x, size.y, size.z) || 1;
		if (grid) scene.remove(grid);
		const step = Math.pow(10, Math.floor(Math.log10(span)));
		const extent = Math.ceil((span * 1.5) / step) * step;
		grid = new THREE.GridHelper(extent, Math.round(extent / step), 0x9ca3af, 0xd4d4d8);
		grid.rotation.x = Math.PI / 2; // the grid lies in XY: the bed
		scene.add(grid);
		camera.position.set(span * 1.4, -span * 1.8, span * 1.3);
		controls.target.set(0, 0, size.z / 2);
		controls.update();
		draw();
		el.dataset.shown = axis;
	}
	function draw() { renderer.render(scene, camera); }
	controls.addEventListener('change', draw);

	const turn = el.querySelector('[data-orient]');
	let printing = false;
	if (turn && el.dataset.suggested) {
		turn.hidden = false;
		turn.addEventListener('click', () => {
			printing = !printing;
			place(printing ? el.dataset.suggested : '+z');
			turn.textContent = printing ? 'Show as designed' : 'Turn as printed (' + el.dataset.suggested + ' up)';
			turn.setAttribute('aria-pressed', String(printing));
		});
	}
	place('+z');
	say('Drag to turn, scroll or pinch to zoom.');
}

for (const el of document.querySelectorAll('[data-viewer]')) show(el);
