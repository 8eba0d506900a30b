// senda map page: risk map, routes, nearest shelters and stage plans for analysts and planners.
// Plain ES module, no build step. Everything is loaded from this server (no outside host):
// MapLibre GL JS and pmtiles from /vendor, tiles from /tiles, glyphs from /fonts, strings from
// /i18n/map/{lang}.json.

import * as maplibregl from '/vendor/maplibre-gl.mjs';

const LANGS = ['es', 'ht', 'en', 'fr'];
const $ = (id) => document.getElementById(id);
const ORIGIN = location.origin;

const state = {
  lang: 'es',
  t: {},
  mode: 'route',
  points: [],            // [lon, lat] pairs picked on the map
  at: '',                // YYYY-MM-DD or '' (the server's current snapshot)
  profile: 'foot',
  aversion: 0.5,
  hours: 8,
  result: null,          // what the results panel shows: {kind, ...}
  highlight: null,       // index of the highlighted alternative
  offlinePack: null,     // {name, url, bounds} saved for offline use
  unreachable: false,    // the server did not answer (see offline())
  layers: { risk: true, roads: true, shelters: true, incidents: false, alerts: true },
  seq: 0,                // request generation: late answers of old queries are dropped
};

// ---------- strings ----------

function t(key, vars = {}) {
  let s = state.t[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, v);
  return s;
}

async function setLanguage(lang) {
  if (!LANGS.includes(lang)) lang = 'es';
  const res = await fetch(`/i18n/map/${lang}.json`);
  if (!res.ok) throw new Error(`/i18n/map/${lang}.json: ${res.status}`);
  state.t = await res.json();
  state.lang = lang;
  localStorage.setItem('senda.lang', lang);
  document.documentElement.lang = lang;
  $('lang').value = lang;
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  renderLayerToggles();
  renderHint();
  renderResults();
  renderAttribution();
  renderOfflineStatus();
  // MapLibre's own controls.
  for (const [cls, key] of [['.maplibregl-ctrl-zoom-in', 'zoom_in'], ['.maplibregl-ctrl-zoom-out', 'zoom_out']]) {
    const button = document.querySelector(cls);
    if (button) { button.title = t(key); button.setAttribute('aria-label', t(key)); }
  }
}

// ---------- formatting ----------

const km = (m) => (m / 1000).toFixed(m < 10000 ? 1 : 0);
function duration(s) {
  const h = Math.floor(s / 3600);
  const m = Math.round((s - h * 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}
const risk = (r) => (r == null ? '—' : r === 0 ? '0' : Number(r).toPrecision(3));
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

// ---------- map style ----------

const RISK_RAMP = ['interpolate', ['linear'], ['ln', ['max', 0.0005, ['to-number', ['get', 'VALUE'], 0]]],
  Math.log(0.0005), '#fff7bc', Math.log(0.002), '#fec44f', Math.log(0.006), '#fe9929', Math.log(0.02), '#d95f0e', Math.log(0.06), '#993404'];

function ramp(prop, low = null) {
  const r = JSON.parse(JSON.stringify(RISK_RAMP).replace('VALUE', prop));
  if (low) r[4] = low; // lines need a darker low end than areas to be seen
  return r;
}

function dataTiles(layer) {
  const q = state.at ? `?at=${state.at}` : '';
  return [`${ORIGIN}/tiles/${layer}/{z}/{x}/{y}.mvt${q}`];
}

// Offline: the browser says so, or the server did not answer (navigator.onLine stays true on
// many phones and browsers without a working connection).
function offline() {
  return !navigator.onLine || state.unreachable;
}

function dataSource(layer, minzoom) {
  if (offline() && state.offlinePack) {
    // Offline: the layers come from the saved PMTiles pack (one MVT layer per senda layer).
    return { type: 'vector', url: `pmtiles://${ORIGIN}${state.offlinePack.url}` };
  }
  return { type: 'vector', tiles: dataTiles(layer), minzoom, maxzoom: 14 };
}

const EMPTY = { type: 'FeatureCollection', features: [] };

function buildStyle() {
  const font = ['DejaVu Sans Book'];
  const vis = (name) => (state.layers[name] ? 'visible' : 'none');
  const p = state.profile;
  return {
    version: 8,
    glyphs: `${ORIGIN}/fonts/{fontstack}/{range}.pbf`,
    sources: {
      basemap: { type: 'vector', tiles: [`${ORIGIN}/tiles/basemap/{z}/{x}/{y}.mvt`], minzoom: 0, maxzoom: 12 },
      risk: dataSource('risk', 0),
      roads: dataSource('roads', 3),
      incidents: dataSource('incidents', 0),
      alerts: dataSource('alerts', 0),
      shelters: { type: 'geojson', data: '/api/v1/shelters' },
      alts: { type: 'geojson', data: EMPTY },
      fast: { type: 'geojson', data: EMPTY },
      safe: { type: 'geojson', data: EMPTY },
      plan: { type: 'geojson', data: EMPTY },
      nearest: { type: 'geojson', data: EMPTY },
      picks: { type: 'geojson', data: EMPTY },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#cfe0ee' } },
      { id: 'countries', type: 'fill', source: 'basemap', 'source-layer': 'countries', paint: { 'fill-color': '#f3efe6' } },
      { id: 'states', type: 'line', source: 'basemap', 'source-layer': 'states', paint: { 'line-color': '#b7ab98', 'line-width': 0.6, 'line-dasharray': [3, 2] } },
      { id: 'risk', type: 'fill', source: 'risk', 'source-layer': 'risk', layout: { visibility: vis('risk') },
        paint: { 'fill-color': ['case', ['to-boolean', ['get', `blocked_${p}`]], '#333333', ramp(`value_${p}`)], 'fill-opacity': 0.55 } },
      { id: 'alerts', type: 'fill', source: 'alerts', 'source-layer': 'alerts', layout: { visibility: vis('alerts') },
        paint: { 'fill-color': '#2b6cb0', 'fill-opacity': 0.18, 'fill-outline-color': '#2b6cb0' } },
      { id: 'incidents', type: 'fill', source: 'incidents', 'source-layer': 'incidents', layout: { visibility: vis('incidents') },
        paint: { 'fill-color': '#6b21a8', 'fill-opacity': ['interpolate', ['linear'], ['get', 'count'], 5, 0.15, 100, 0.6], 'fill-outline-color': '#4c1d95' } },
      { id: 'borders', type: 'line', source: 'basemap', 'source-layer': 'countries', paint: { 'line-color': '#7d7262', 'line-width': 1.1 } },
      { id: 'base-roads', type: 'line', source: 'basemap', 'source-layer': 'roads',
        paint: { 'line-color': '#c2b59b', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.4, 10, 2] } },
      { id: 'rail', type: 'line', source: 'basemap', 'source-layer': 'rail', paint: { 'line-color': '#6b6b6b', 'line-width': 1, 'line-dasharray': [2, 2] } },
      { id: 'roads', type: 'line', source: 'roads', 'source-layer': 'roads', layout: { visibility: vis('roads') },
        paint: { 'line-color': ['case', ['to-boolean', ['get', `blocked_${p}`]], '#111111', ramp(`risk_${p}`, '#d4b13f')],
          'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.8, 10, 3] } },
      { id: 'plan', type: 'line', source: 'plan', paint: { 'line-color': ['case', ['==', ['%', ['get', 'leg'], 2], 0], '#0e7490', '#16a34a'], 'line-width': 5 } },
      { id: 'alts', type: 'line', source: 'alts', paint: { 'line-color': '#64748b', 'line-width': ['case', ['boolean', ['feature-state', 'hl'], false], 6, 3], 'line-opacity': 0.8 } },
      { id: 'fast', type: 'line', source: 'fast', paint: { 'line-color': '#8a3ffc', 'line-width': 4, 'line-dasharray': [2, 1] } },
      { id: 'safe', type: 'line', source: 'safe', paint: { 'line-color': '#0b6e4f', 'line-width': 5 } },
      { id: 'places', type: 'circle', source: 'basemap', 'source-layer': 'places', paint: { 'circle-radius': 2.5, 'circle-color': '#333' } },
      { id: 'place-labels', type: 'symbol', source: 'basemap', 'source-layer': 'places',
        layout: { 'text-field': ['get', 'name'], 'text-font': font, 'text-size': 11, 'text-offset': [0, 0.7], 'text-anchor': 'top' },
        paint: { 'text-color': '#222', 'text-halo-color': '#fff', 'text-halo-width': 1.2 } },
      { id: 'area-labels', type: 'symbol', source: 'basemap', 'source-layer': 'labels',
        layout: { 'text-field': ['get', 'name'], 'text-font': font, 'text-size': ['case', ['==', ['get', 'kind'], 'country'], 13, 10], 'text-transform': 'uppercase', 'text-letter-spacing': 0.1 },
        paint: { 'text-color': '#5b5346', 'text-halo-color': '#f3efe6', 'text-halo-width': 1.5 } },
      { id: 'shelters', type: 'circle', source: 'shelters', layout: { visibility: vis('shelters') },
        paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 3, 3, 10, 7], 'circle-color': '#0284c7', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } },
      { id: 'nearest', type: 'circle', source: 'nearest', paint: { 'circle-radius': 9, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#f59e0b', 'circle-stroke-width': 3 } },
      { id: 'picks', type: 'circle', source: 'picks', paint: { 'circle-radius': 7, 'circle-color': ['match', ['get', 'role'], 'from', '#16a34a', '#dc2626'], 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } },
    ],
  };
}

// ---------- map ----------

// Before the map is made: its first style may read the saved pack through the protocol.
try { state.offlinePack = JSON.parse(localStorage.getItem('senda.pack') || 'null'); } catch { state.offlinePack = null; }
if (window.pmtiles) {
  const protocol = new window.pmtiles.Protocol();
  maplibregl.addProtocol('pmtiles', protocol.tile);
}

const map = new maplibregl.Map({
  container: 'map',
  style: buildStyle(),
  center: [-95.5, 18.5],
  zoom: 4.2,
  attributionControl: false,
  hash: true, // the view is kept in the address (a reload, also offline, stays where it was)
});
window.sendaMap = map; // for the browser test
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
map.addControl(new maplibregl.ScaleControl(), 'bottom-right');

function setData(source, data) {
  const s = map.getSource(source);
  if (s) s.setData(data ?? EMPTY);
}

/// Puts the query results back on the map (after a style rebuild).
function redraw() {
  setData('picks', {
    type: 'FeatureCollection',
    features: state.points.map((c, i) => ({ type: 'Feature', properties: { role: i === 0 ? 'from' : 'to' }, geometry: { type: 'Point', coordinates: c } })),
  });
  const r = state.result;
  setData('safe', r?.kind === 'route' ? chosen(r.safe) : null);
  setData('fast', r?.kind === 'route' ? chosen(r.fast) : null);
  setData('alts', r?.kind === 'route' ? { type: 'FeatureCollection', features: alternatives(r.safe).map((f, i) => ({ ...f, id: i })) } : null);
  setData('nearest', r?.kind === 'nearest' ? r.answer : null);
  setData('plan', r?.kind === 'plan' ? r.answer : null);
}

function rebuildStyle() {
  map.setStyle(buildStyle());
  map.once('styledata', redraw);
}

// ---------- queries ----------

async function getJSON(url) {
  const res = await fetch(url);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message || `${res.status}`);
  return body;
}

const ll = (c) => `${c[0].toFixed(5)},${c[1].toFixed(5)}`;
const atParam = () => (state.at ? `&at=${state.at}` : '');
const chosen = (fc) => ({ type: 'FeatureCollection', features: fc.features.filter((f) => f.properties.chosen) });
const alternatives = (fc) => fc.features.filter((f) => !f.properties.chosen);

async function run() {
  const seq = ++state.seq;
  const [a, b] = state.points;
  const common = `profile=${state.profile}${atParam()}`;
  state.result = { kind: 'loading' };
  renderResults();
  try {
    let result;
    if (state.mode === 'route') {
      const q = `from=${ll(a)}&to=${ll(b)}&${common}`;
      const [safe, fast] = await Promise.all([
        getJSON(`/api/v1/route?${q}&aversion=${state.aversion}&alternatives=3`),
        getJSON(`/api/v1/route?${q}&aversion=0`),
      ]);
      result = { kind: 'route', safe, fast };
    } else if (state.mode === 'nearest') {
      const answer = await getJSON(`/api/v1/shelters/nearest?at=${ll(a)}&k=5&by=road&aversion=${state.aversion}&profile=${state.profile}`);
      result = { kind: 'nearest', answer };
    } else {
      const answer = await getJSON(`/api/v1/plan?from=${ll(a)}&to=${ll(b)}&max_daily_hours=${state.hours}&aversion=${state.aversion}&profile=${state.profile}&lang=${state.lang}`);
      result = { kind: 'plan', answer };
    }
    if (seq !== state.seq) return;
    state.result = result;
  } catch (e) {
    if (seq !== state.seq) return;
    state.result = { kind: 'error', message: e.message };
  }
  state.highlight = null;
  renderResults();
  redraw();
}

function ready() {
  return state.mode === 'nearest' ? state.points.length === 1 : state.points.length === 2;
}

function onMapClick(e) {
  const shelter = map.queryRenderedFeatures(e.point, { layers: ['shelters'] })[0];
  if (shelter) {
    shelterPopup(shelter, e.lngLat);
    return;
  }
  infoPopup(e);
  const c = [e.lngLat.lng, e.lngLat.lat];
  if (ready() || state.mode === 'nearest') state.points = [];
  state.points.push(c);
  state.result = null;
  renderHint();
  redraw();
  if (ready()) run();
  else renderResults();
}

// ---------- popups ----------

function popup() {
  const p = new maplibregl.Popup({ maxWidth: '300px' });
  p.on('open', () => {
    const close = p.getElement()?.querySelector('.maplibregl-popup-close-button');
    if (close) { close.title = t('close'); close.setAttribute('aria-label', t('close')); }
  });
  return p;
}

function shelterPopup(f, lngLat) {
  const p = f.properties;
  const list = (v) => (Array.isArray(v) ? v : typeof v === 'string' && v.startsWith('[') ? JSON.parse(v) : v ? String(v).split(',') : []);
  const services = list(p.services).map((s) => t(`service_${s}`)).join(', ');
  const serves = list(p.serves).map((s) => t(`serves_${s}`)).join(', ');
  const langs = list(p.languages).join(', ');
  const contact = [p.phone, p.whatsapp && `WhatsApp ${p.whatsapp}`].filter(Boolean).join(' · ');
  const verified = p.verified && p.verified !== 'unverified'
    ? `${esc(t('popup_verified'))} ${esc(p.verified)}`
    : `<span class="warn">${esc(t('popup_unverified'))}</span>`;
  const row = (k, v) => `<dt>${esc(t(k))}</dt><dd>${v ? esc(v) : esc(t('popup_unknown'))}</dd>`;
  const html = `<h4>${esc(p.name)}</h4><div class="small">${esc(t(`kind_${p.kind}`))}</div><dl>
    ${row('popup_services', services)}${row('popup_serves', serves)}${row('popup_contact', contact)}
    ${row('popup_hours', p.hours)}${row('popup_languages', langs)}${row('popup_address', p.address)}</dl>
    <p>${verified}</p>${p.location_suspect ? `<p class="warn">${esc(t('popup_location_suspect'))}</p>` : ''}`;
  popup().setLngLat(lngLat).setHTML(html).addTo(map);
}

function infoPopup(e) {
  const layers = ['incidents', 'alerts'].filter((l) => state.layers[l]);
  if (!layers.length) return;
  const hits = map.queryRenderedFeatures(e.point, { layers });
  if (!hits.length) return;
  const parts = hits.slice(0, 3).map((f) => {
    const p = f.properties;
    if (f.layer.id === 'incidents') {
      const cats = String(p.categories || '').split(',').filter(Boolean)
        .map((c) => { const [k, n] = c.split(':'); return `${t(`cat_${k}`)} ${n}`; }).join(', ');
      return `<h4>${esc(t('incidents_reports', { n: p.count }))}</h4><dl>
        <dt>${esc(t('incidents_people'))}</dt><dd>${esc(p.people)}</dd>
        <dt>${esc(t('incidents_categories'))}</dt><dd>${esc(cats)}</dd></dl>`;
    }
    return `<h4>${esc(p.event)}</h4><div>${esc(p.headline || '')}</div>
      ${p.expires ? `<div class="small">${esc(t('alert_until'))} ${esc(p.expires.slice(0, 16).replace('T', ' '))}</div>` : ''}`;
  });
  popup().setLngLat(e.lngLat).setHTML(parts.join('<hr>')).addTo(map);
}

// ---------- panel ----------

function renderHint() {
  let key;
  if (state.mode === 'nearest') key = state.points.length ? 'hint_done' : 'hint_nearest';
  else key = ['hint_origin', 'hint_destination', 'hint_done'][Math.min(state.points.length, 2)];
  $('hint').textContent = t(key);
  $('hours-row').hidden = state.mode !== 'plan';
}

function renderResults() {
  const el = $('results');
  const r = state.result;
  if (!r) { el.innerHTML = ''; return; }
  if (r.kind === 'loading') { el.innerHTML = `<p class="hint">${esc(t('loading'))}</p>`; return; }
  if (r.kind === 'error') { el.innerHTML = `<p class="warn">${esc(t('error'))}: ${esc(r.message)}</p>`; return; }
  if (r.kind === 'route') {
    const s = chosen(r.safe).features[0]?.properties;
    const f = chosen(r.fast).features[0]?.properties;
    if (!s || !f) { el.innerHTML = `<p class="warn">${esc(t('error'))}</p>`; return; }
    const alts = alternatives(r.safe);
    el.innerHTML = `<table class="compare" id="compare"><thead><tr><th></th>
      <th class="safe">${esc(t('col_safest'))}</th><th class="fast">${esc(t('col_fastest'))}</th></tr></thead><tbody>
      <tr><td>${esc(t('row_distance'))}</td><td data-v="safe-distance">${km(s.distance_m)} km</td><td data-v="fast-distance">${km(f.distance_m)} km</td></tr>
      <tr><td>${esc(t('row_time'))}</td><td>${duration(s.duration_s)}</td><td>${duration(f.duration_s)}</td></tr>
      <tr><td>${esc(t('row_risk'))}</td><td>${risk(s.risk_exposure)}</td><td>${risk(f.risk_exposure)}</td></tr>
      </tbody></table><p class="small">${esc(t('risk_help'))}</p>${causes(s.explanation)}
      ${alts.length ? `<h3>${esc(t('alternatives'))}</h3><ol class="list" id="alts">${alts.map((a, i) => `<li data-i="${i}">
        ${km(a.properties.distance_m)} km · ${duration(a.properties.duration_s)} · ${esc(t('row_risk').toLowerCase())} ${risk(a.properties.risk_exposure)}</li>`).join('')}</ol>` : ''}`;
    for (const li of el.querySelectorAll('#alts li')) li.addEventListener('click', () => highlight(Number(li.dataset.i)));
    return;
  }
  if (r.kind === 'nearest') {
    const fs = r.answer.features;
    el.innerHTML = `<h3>${esc(t('nearest_title'))}</h3>${fs.length ? `<ol class="list" id="nearest-list">${fs.map((f, i) => {
      const p = f.properties;
      const road = p.route_distance_m != null;
      const dist = road ? `${km(p.route_distance_m)} km ${t('by_road')}` : `${km(p.distance_m)} km ${t('straight_line')}`;
      return `<li data-i="${i}"><strong>${esc(p.name)}</strong> <span class="small">${esc(t(`kind_${p.kind}`))}</span><br>
        ${esc(dist)}${p.duration_s != null ? ` · ${duration(p.duration_s)}` : ''}${p.phone ? ` · ${esc(p.phone)}` : ''}
        ${p.verified === 'unverified' ? `<br><span class="warn small">${esc(t('popup_unverified'))}</span>` : ''}</li>`;
    }).join('')}</ol>` : `<p>${esc(t('nearest_none'))}</p>`}`;
    for (const li of el.querySelectorAll('#nearest-list li')) {
      li.addEventListener('click', () => map.flyTo({ center: fs[Number(li.dataset.i)].geometry.coordinates, zoom: Math.max(map.getZoom(), 9) }));
    }
    return;
  }
  if (r.kind === 'plan') {
    const p = r.answer.plan;
    el.innerHTML = `<h3>${esc(t('plan_title'))}</h3>
      <p>${esc(t('plan_summary', { n: p.nights, km: km(p.total_distance_m), time: duration(p.total_duration_s) }))}</p>
      <ol class="list" id="plan-list">${r.answer.features.map((f) => {
        const q = f.properties;
        const end = q.ends_at === 'destination' ? t('plan_destination') : q.end_name;
        return `<li class="${q.no_shelter_in_reach ? 'flagged' : ''}"><strong>${esc(t('plan_day', { n: q.leg }))}</strong>
          ${esc(t('plan_to', { name: end }))}<br>${km(q.distance_m)} km · ${duration(q.duration_s)} · ${esc(t('row_risk').toLowerCase())} ${risk(q.risk_exposure)}
          ${q.no_shelter_in_reach ? `<br>${esc(t('plan_flagged'))}` : ''}</li>`;
      }).join('')}</ol>`;
  }
}

/// The incident categories behind a route's risk (aggregated by the server, never single
/// reports), with their shares.
function causes(x) {
  const cats = (x?.categories || []).filter((c) => c.share >= 0.05).slice(0, 4);
  if (!cats.length) return '';
  return `<p class="small">${esc(t('risk_causes'))}: ${cats.map((c) => `${esc(t(`cat_${c.category}`))} ${Math.round(c.share * 100)} %`).join(', ')}</p>`;
}

function highlight(i) {
  if (state.highlight != null) map.setFeatureState({ source: 'alts', id: state.highlight }, { hl: false });
  state.highlight = i;
  map.setFeatureState({ source: 'alts', id: i }, { hl: true });
}

function renderLayerToggles() {
  const el = $('layers');
  el.innerHTML = Object.keys(state.layers).map((name) =>
    `<label><input type="checkbox" data-layer="${name}" ${state.layers[name] ? 'checked' : ''}> ${esc(t(`layer_${name}`))}</label>`).join('');
  for (const box of el.querySelectorAll('input')) {
    box.addEventListener('change', () => {
      state.layers[box.dataset.layer] = box.checked;
      if (map.getLayer(box.dataset.layer)) map.setLayoutProperty(box.dataset.layer, 'visibility', box.checked ? 'visible' : 'none');
    });
  }
}

function renderAttribution() {
  $('attribution').textContent = `${t('attribution')}: Natural Earth · Travel Mapping (travelmapping.net) · `
    + 'GeoNames (CC BY 4.0) · IOM Missing Migrants Project (CC BY 4.0) · UCDP GED (Uppsala Conflict Data Program, CC BY 4.0) · CONAGUA-SMN · '
    + 'TheWetZone (FANMixco), migrant-aid-map (HakkinDavid) · MapLibre GL JS';
}

// ---------- offline ----------

function renderOfflineStatus() {
  const el = $('offline-status');
  if (!('serviceWorker' in navigator) || !('caches' in window)) el.textContent = t('offline_unsupported');
  else if (offline()) el.textContent = t('offline_now');
  else if (state.offlinePack) el.textContent = t('offline_saved', { name: state.offlinePack.name });
  else el.textContent = '';
}

async function saveOffline() {
  const el = $('offline-status');
  if (!('caches' in window)) { el.textContent = t('offline_unsupported'); return; }
  el.textContent = t('offline_saving');
  try {
    const { packs } = await getJSON('/api/v1/packs');
    const c = map.getCenter();
    const inside = packs.filter((p) => c.lng >= p.bounds[0] && c.lat >= p.bounds[1] && c.lng <= p.bounds[2] && c.lat <= p.bounds[3]);
    inside.sort((a, b) => a.bytes - b.bytes);
    const pack = inside[0];
    if (!pack) { el.textContent = t('offline_no_pack'); return; }
    const cache = await caches.open('senda-packs');
    await cache.add(pack.url);
    // Shelters and emergency contacts too (what cannot be fetched now is left as it was).
    const data = await caches.open('senda-data-v1');
    await Promise.all(['/api/v1/shelters', '/api/v1/emergency'].map(async (u) => {
      const res = await fetch(u).catch(() => null);
      if (res && res.ok) await data.put(u, res);
    }));
    state.offlinePack = { name: pack.name, url: pack.url, bounds: pack.bounds };
    localStorage.setItem('senda.pack', JSON.stringify(state.offlinePack));
    renderOfflineStatus();
  } catch (e) {
    el.textContent = `${t('error')}: ${e.message}`;
  }
}

// ---------- start ----------

function init() {
  $('lang').addEventListener('change', (e) => setLanguage(e.target.value));
  $('date').addEventListener('change', (e) => {
    state.at = e.target.value;
    for (const l of ['risk', 'roads', 'incidents', 'alerts']) {
      const s = map.getSource(l);
      if (s && s.setTiles) s.setTiles(dataTiles(l));
    }
    if (ready()) run();
  });
  $('profile').addEventListener('change', (e) => { state.profile = e.target.value; rebuildStyle(); if (ready()) run(); });
  let timer;
  $('aversion').addEventListener('input', (e) => {
    state.aversion = Number(e.target.value);
    clearTimeout(timer);
    timer = setTimeout(() => { if (ready()) run(); }, 250);
  });
  $('hours').addEventListener('change', (e) => { state.hours = Number(e.target.value) || 8; if (ready() && state.mode === 'plan') run(); });
  for (const r of document.querySelectorAll('input[name=mode]')) {
    r.addEventListener('change', () => { state.mode = r.value; state.points = []; state.result = null; renderHint(); renderResults(); redraw(); });
  }
  $('clear').addEventListener('click', () => { state.points = []; state.result = null; state.seq++; renderHint(); renderResults(); redraw(); });
  $('save-offline').addEventListener('click', saveOffline);
  window.addEventListener('online', () => { state.unreachable = false; rebuildStyle(); renderOfflineStatus(); });
  window.addEventListener('offline', () => { rebuildStyle(); renderOfflineStatus(); });
  map.on('click', onMapClick);
  map.on('mouseenter', 'shelters', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'shelters', () => { map.getCanvas().style.cursor = ''; });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => console.warn('service worker:', e.message));
  }
  // With a saved pack, check that the server answers; if not, draw from the pack.
  if (state.offlinePack && navigator.onLine) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 3000);
    fetch(`${ORIGIN}/healthz`, { cache: 'no-store', signal: ctl.signal })
      .then((r) => { if (!r.ok) throw new Error(String(r.status)); })
      .catch(() => { state.unreachable = true; rebuildStyle(); renderOfflineStatus(); })
      .finally(() => clearTimeout(timer));
  }
  const wanted = new URLSearchParams(location.search).get('lang') || localStorage.getItem('senda.lang') || 'es';
  setLanguage(wanted).catch((e) => { $('results').textContent = e.message; });
}

init();
