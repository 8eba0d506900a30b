// senda service worker (scope /): keeps the map page usable without a connection.
// - the app shell (page, script, style, MapLibre, glyphs, translations): cached at install;
// - shelters and emergency contacts: network first, the last answer kept;
// - basemap tiles: cached as they are seen;
// - data tiles: network first, the last answer kept;
// - offline tile packs (/packs/*.pmtiles): saved whole by the page ("save this region"); the
//   PMTiles reader's range requests are then answered from the saved file.

const VERSION = 'v1';
const SHELL = `senda-shell-${VERSION}`;
const DATA = `senda-data-${VERSION}`;
const TILES = `senda-tiles-${VERSION}`;
const PACKS = 'senda-packs';
const KEEP = [SHELL, DATA, TILES, PACKS];

const SHELL_FILES = [
  '/',
  '/app.js',
  '/style.css',
  '/vendor/maplibre-gl.mjs',
  '/vendor/maplibre-gl-worker.mjs',
  '/vendor/maplibre-gl.css',
  '/vendor/pmtiles.js',
  '/i18n/map/es.json',
  '/i18n/map/ht.json',
  '/i18n/map/en.json',
  '/i18n/map/fr.json',
  '/fonts/DejaVu%20Sans%20Book/0-255.pbf',
  '/fonts/DejaVu%20Sans%20Book/256-511.pbf',
];
const DATA_URLS = ['/api/v1/shelters', '/api/v1/emergency'];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const shell = await caches.open(SHELL);
    await shell.addAll(SHELL_FILES);
    const data = await caches.open(DATA);
    // Data that cannot be fetched now is cached on its first use instead.
    await Promise.all(DATA_URLS.map((u) => data.add(u).catch(() => {})));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (!KEEP.includes(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

/// Tiles kept from browsing (the oldest go first); a saved pack holds a whole region anyway.
const MAX_TILES = 3000;

async function trim(cache) {
  const keys = await cache.keys();
  for (const k of keys.slice(0, Math.max(0, keys.length - MAX_TILES))) await cache.delete(k);
}

async function networkFirst(request, cacheName, ignoreSearch = false) {
  const cache = await caches.open(cacheName);
  try {
    const res = await fetch(request);
    if (res.ok) {
      await cache.put(request, res.clone());
      if (cacheName === TILES) trim(cache);
    }
    return res;
  } catch (e) {
    const hit = await cache.match(request, { ignoreSearch });
    if (hit) return hit;
    throw e;
  }
}

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) {
    await cache.put(request, res.clone());
    if (cacheName === TILES) trim(cache);
  }
  return res;
}

/// A range of a saved pack as a 206 answer; the network when the pack is not saved.
async function packRange(request) {
  const cache = await caches.open(PACKS);
  const saved = await cache.match(request.url, { ignoreSearch: true });
  if (!saved) return fetch(request);
  const blob = await saved.blob();
  const range = /bytes=(\d+)-(\d*)/.exec(request.headers.get('range') || '');
  if (!range) return new Response(blob, { headers: { 'content-type': 'application/octet-stream' } });
  const start = Number(range[1]);
  const end = range[2] ? Math.min(Number(range[2]), blob.size - 1) : blob.size - 1;
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: {
      'content-type': 'application/octet-stream',
      'content-range': `bytes ${start}-${end}/${blob.size}`,
      'content-length': String(end - start + 1),
    },
  });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path.startsWith('/packs/')) {
    event.respondWith(packRange(request));
  } else if (path.startsWith('/vendor/') || path.startsWith('/fonts/')) {
    event.respondWith(cacheFirst(request, SHELL));
  } else if (path === '/' || path === '/app.js' || path === '/style.css' || path.startsWith('/i18n/')) {
    event.respondWith(networkFirst(request, SHELL, true));
  } else if (path === '/api/v1/shelters' || path === '/api/v1/emergency') {
    event.respondWith(networkFirst(request, DATA));
  } else if (path.startsWith('/tiles/basemap/')) {
    event.respondWith(cacheFirst(request, TILES));
  } else if (path.startsWith('/tiles/')) {
    event.respondWith(networkFirst(request, TILES));
  }
});
