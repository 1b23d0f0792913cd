// The crime map shared by the page (/) and the widget (/embed): MapLibre with our own tiles only.
// Layers, bottom to top: plain background (or a configured basemap style), area choropleth
// (areas layer, kind=lsoa|ward|neighbourhood), district boundaries, crime clusters (below
// /catalog's point_minzoom: the server's grid cells, circle + count), snap points (from it: one
// per location), stop and search (optional, off by default: clusters and snap points like
// crimes), and district and ward names (labels layer; its street and postcode names go under the
// crime circles, above the boundaries).
// Text is drawn with the browser's own fonts (no `glyphs` URL in the style: MapLibre renders
// glyphs locally), so nothing is fetched from outside.
import * as maplibregl from '/dist/maplibre-gl/maplibre-gl.mjs';
import { filterParams, periodLabel, AREA_KIND_LABELS } from './state.mjs';
import { esc } from './util.mjs';
import { CHOROPLETH_COLORS, NO_DATA_COLOR } from './palette.mjs';

export { esc };

export { maplibregl };

// Where a postcode search puts the map: individual locations, a walk's distance around.
export const POSTCODE_ZOOM = 14.5;
// Area polygons are simplified per zoom by the server; past this we over-zoom.
const AREA_MAXZOOM = 14;
// Ward outlines join the district boundaries as the basemap from this zoom.
const WARD_MINZOOM = 11;

export const ATTRIBUTION_LINES = [
  'Crime data: <a href="https://data.police.uk/" target="_blank" rel="noopener">police.uk</a>',
  'Contains public sector information licensed under the Open Government Licence v3.0',
  'Contains OS data © Crown copyright and database right',
  'Contains ONS data © Crown copyright and database right',
  'Contains Royal Mail data © Royal Mail copyright and database right',
];

const CLUSTER_COLORS = ['#6baed6', '#3182bd', '#08519c', '#08306b'];
const STOP_COLOR = '#d95f0e';
const POINT_COLOR = '#54278f';
export { CHOROPLETH_COLORS };

const origin = () => window.location.origin;

export async function loadConfig() {
  // web/config.json: operator settings (basemap style URL, start view). Optional.
  try {
    const res = await fetch('/config.json', { cache: 'no-cache' });
    if (res.ok) return await res.json();
  } catch {
    // defaults below
  }
  return {};
}

// `cells` is a display parameter the tile server may support (cluster cells per tile side);
// it is only sent when /catalog lists it among the filters.
function crimeTileUrl(catalog, state) {
  const q = new URLSearchParams({ v: String(catalog.dataset_version) });
  for (const [k, v] of filterParams(state)) q.set(k, v);
  if (catalog.filters && Object.hasOwn(catalog.filters, 'cells')) q.set('cells', '16');
  return `${origin()}/tiles/crimes/{z}/{x}/{y}.mvt?${q.toString().replace(/%2C/g, ',')}`;
}

// Stop and search follows the months (not the categories: they are crime categories).
function stopTileUrl(catalog, state) {
  const q = new URLSearchParams({ v: String(catalog.dataset_version), from: state.from, to: state.to });
  if (catalog.filters && Object.hasOwn(catalog.filters, 'cells')) q.set('cells', '16');
  return `${origin()}/tiles/stops/{z}/{x}/{y}.mvt?${q.toString()}`;
}

function labelTileUrl(catalog) {
  return `${origin()}/tiles/labels/{z}/{x}/{y}.mvt?v=${catalog.dataset_version}`;
}

// state null: outlines only (the basemap), no filter, so they stay cached when filters change.
function areaTileUrl(catalog, state, kind) {
  const q = new URLSearchParams({ v: String(catalog.dataset_version), kind });
  if (state) for (const [k, v] of filterParams(state)) q.set(k, v);
  return `${origin()}/tiles/areas/{z}/{x}/{y}.mvt?${q.toString().replace(/%2C/g, ',')}`;
}

function clusterCellPx(catalog) {
  return catalog.filters && Object.hasOwn(catalog.filters, 'cells') ? 32 : 8;
}

function layerSpec(catalog, name) {
  return (catalog.layers || []).find((l) => l.name === name) || { minzoom: 0, maxzoom: 16, fields: [] };
}

// The tile fields the map reads, per layer. Each must be published by /catalog (the server's
// layer registry, core/layers.hpp): a renamed or removed field stops the map at start-up rather
// than drawing nothing.
const FIELDS_USED = {
  crimes: ['count', 'location', 'location_id'],
  areas: ['code', 'name', 'kind', 'crimes', 'change', 'per_1000'],
  stops: ['count', 'location', 'location_id', 'obj_drugs', 'obj_weapons', 'out_arrest', 'out_nfa'],
  labels: ['name', 'kind'],
};

// The zoom from which the crimes layer holds snap points instead of grid clusters, and the
// check above; both from /catalog.
export function pointZoom(catalog) {
  const crimes = layerSpec(catalog, 'crimes');
  if (!Number.isInteger(crimes.point_minzoom)) throw new Error('/catalog does not give the crimes layer\'s point_minzoom');
  return crimes.point_minzoom;
}

function checkFields(catalog) {
  for (const [layer, used] of Object.entries(FIELDS_USED)) {
    const published = new Set((layerSpec(catalog, layer).fields || []).map((f) => f.name));
    const missing = used.filter((f) => !published.has(f));
    if (missing.length) throw new Error(`/catalog: the ${layer} layer lacks the fields ${missing.join(', ')}`);
  }
}

// Expression: abbreviated count label ("842", "1.2k", "12k").
const countLabel = [
  'case',
  ['>=', ['get', 'count'], 10000], ['concat', ['to-string', ['round', ['/', ['get', 'count'], 1000]]], 'k'],
  ['>=', ['get', 'count'], 1000], ['concat', ['to-string', ['/', ['round', ['/', ['get', 'count'], 100]], 10]], 'k'],
  ['to-string', ['get', 'count']],
];

function buildStyle(catalog, state, cellPx) {
  const crimes = layerSpec(catalog, 'crimes');
  const stops = layerSpec(catalog, 'stops');
  const labels = layerSpec(catalog, 'labels');
  const pointMinzoom = pointZoom(catalog);
  const bounds = catalog.bounds && catalog.bounds.length === 4 ? catalog.bounds : undefined;
  const attribution = ATTRIBUTION_LINES.join(' · ');
  const big = Math.max(6, cellPx / 2 - 1);
  return {
    version: 8,
    sources: {
      crimes: {
        type: 'vector',
        tiles: [crimeTileUrl(catalog, state)],
        minzoom: crimes.minzoom,
        maxzoom: Math.min(crimes.maxzoom, pointMinzoom),
        bounds,
        attribution,
      },
      boundaries: {
        type: 'vector',
        tiles: [areaTileUrl(catalog, null, 'lad')],
        maxzoom: 12,
        bounds,
      },
      wards: {
        type: 'vector',
        tiles: [areaTileUrl(catalog, null, 'ward')],
        minzoom: WARD_MINZOOM,
        maxzoom: AREA_MAXZOOM,
        bounds,
      },
      areas: {
        type: 'vector',
        tiles: [areaTileUrl(catalog, state, state.kind)],
        maxzoom: AREA_MAXZOOM,
        bounds,
      },
      stops: {
        type: 'vector',
        tiles: [stopTileUrl(catalog, state)],
        minzoom: stops.minzoom,
        maxzoom: Math.min(stops.maxzoom, pointMinzoom),
        bounds,
      },
      labels: {
        type: 'vector',
        tiles: [labelTileUrl(catalog)],
        minzoom: labels.minzoom,
        maxzoom: labels.maxzoom,
        bounds,
      },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#f2efe9' } },
      ...overlayLayers(state, cellPx, big, pointMinzoom),
    ],
  };
}

// The labels layer's kinds: [kind, minzoom, maxzoom, size, colour, halo]. The zooms follow the
// server's (README, "Vector tiles"); the style only draws what the tiles carry.
// Listed bottom to top: MapLibre places the top layer's labels first, so a district name wins a
// collision with a ward's, a ward's with a street's.
const LABEL_KINDS = [
  ['postcode', 16, 24, 10, '#7a3d00', 1.2],
  ['street', 15, 24, 10, '#4a4a4a', 1.2],
  ['ward', 11, 15, 11, '#5e554c', 1.4],
  ['district', 6, 13, 13, '#3b3430', 1.6],
];

// Street and postcode names sit at points that carry crimes too: they go under the circles, their
// text just below the point; district and ward names go on top of everything.
const UNDER = new Set(['street', 'postcode']);

function labelLayers(under) {
  return LABEL_KINDS.filter(([kind]) => UNDER.has(kind) === under).map(([kind, minzoom, maxzoom, size, color, halo]) => ({
    id: `labels-${kind}`, type: 'symbol', source: 'labels', 'source-layer': 'labels', minzoom, maxzoom,
    filter: ['==', ['get', 'kind'], kind],
    layout: {
      'text-field': ['get', 'name'],
      'text-font': ['sans-serif'],
      'text-size': size,
      'text-max-width': 8,
      'text-transform': kind === 'district' ? 'uppercase' : 'none',
      'text-letter-spacing': kind === 'district' ? 0.08 : 0,
      'text-anchor': under ? 'top' : 'center',
      'text-offset': under ? [0, 0.7] : [0, 0],
      'text-padding': 4,
    },
    paint: { 'text-color': color, 'text-halo-color': 'rgba(255,255,255,0.9)', 'text-halo-width': halo },
  }));
}

export const LABEL_LAYERS = LABEL_KINDS.map(([kind]) => `labels-${kind}`);
export const STOP_LAYERS = ['stop-clusters', 'stop-cluster-labels', 'stop-points'];

function stopLayers(state, pointMinzoom) {
  const show = state.layers.includes('stops') ? 'visible' : 'none';
  return [
    {
      id: 'stop-clusters', type: 'circle', source: 'stops', 'source-layer': 'stops', maxzoom: pointMinzoom,
      filter: ['!', ['has', 'location_id']],
      layout: { visibility: show },
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 5, 5, 8, 15, 12, 40, 16],
        'circle-color': STOP_COLOR, 'circle-opacity': 0.8, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1,
      },
    },
    {
      id: 'stop-cluster-labels', type: 'symbol', source: 'stops', 'source-layer': 'stops', maxzoom: pointMinzoom,
      filter: ['all', ['!', ['has', 'location_id']], ['>', ['get', 'count'], 1]],
      layout: { visibility: show, 'text-field': countLabel, 'text-font': ['sans-serif'], 'text-size': 10 },
      paint: { 'text-color': '#ffffff' },
    },
    {
      id: 'stop-points', type: 'circle', source: 'stops', 'source-layer': 'stops', minzoom: pointMinzoom,
      filter: ['has', 'location_id'],
      layout: { visibility: show },
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 5, 3, 8, 8, 12],
        'circle-color': STOP_COLOR, 'circle-opacity': 0.85, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5,
      },
    },
  ];
}

function overlayLayers(state, cellPx, big, pointMinzoom) {
  const showAreas = state.layers.includes('areas') ? 'visible' : 'none';
  const showCrimes = state.layers.includes('crimes') ? 'visible' : 'none';
  const small = cellPx <= 8;
  return [
    {
      id: 'areas-fill', type: 'fill', source: 'areas', 'source-layer': 'areas',
      layout: { visibility: showAreas },
      paint: { 'fill-color': NO_DATA_COLOR, 'fill-opacity': 0.65 },
    },
    {
      id: 'areas-outline', type: 'line', source: 'areas', 'source-layer': 'areas',
      layout: { visibility: showAreas },
      paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.3, 14, 1.5] },
    },
    {
      id: 'ward-boundaries', type: 'line', source: 'wards', 'source-layer': 'areas', minzoom: WARD_MINZOOM,
      paint: { 'line-color': '#a59c90', 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 0.5, 16, 1.2] },
    },
    {
      id: 'boundaries', type: 'line', source: 'boundaries', 'source-layer': 'areas',
      paint: { 'line-color': '#7a7167', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.6, 14, 2], 'line-dasharray': [3, 1] },
    },
    ...labelLayers(true),
    {
      id: 'crime-clusters', type: 'circle', source: 'crimes', 'source-layer': 'crimes', maxzoom: pointMinzoom,
      filter: ['!', ['has', 'location']],
      layout: { visibility: showCrimes },
      paint: {
        'circle-radius': small
          ? ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 2.5, 10, 4, 30, 5]
          : ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 6, 5, 9, 15, 13, 40, big],
        'circle-color': ['step', ['get', 'count'], CLUSTER_COLORS[0], 10, CLUSTER_COLORS[1], 50, CLUSTER_COLORS[2], 250, CLUSTER_COLORS[3]],
        'circle-opacity': 0.85,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': small ? 0.5 : 1.2,
      },
    },
    {
      id: 'crime-cluster-labels', type: 'symbol', source: 'crimes', 'source-layer': 'crimes', maxzoom: pointMinzoom,
      filter: small ? ['all', ['!', ['has', 'location']], ['>=', ['get', 'count'], 100]] : ['!', ['has', 'location']],
      layout: {
        visibility: showCrimes,
        'text-field': countLabel,
        'text-font': ['sans-serif'],
        'text-size': small ? 10 : 11,
        'symbol-sort-key': ['-', 0, ['get', 'count']],
        'text-allow-overlap': !small,
      },
      paint: { 'text-color': small ? '#08306b' : '#ffffff', 'text-halo-color': small ? '#ffffff' : 'rgba(0,0,0,0.25)', 'text-halo-width': small ? 1.2 : 0.6 },
    },
    {
      id: 'crime-points', type: 'circle', source: 'crimes', 'source-layer': 'crimes', minzoom: pointMinzoom,
      filter: ['has', 'location'],
      layout: { visibility: showCrimes, 'circle-sort-key': ['get', 'count'] },
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], pointMinzoom, ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 4, 3, 7, 8, 11],
          pointMinzoom + 4, ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 8, 3, 12, 8, 18]],
        'circle-color': POINT_COLOR,
        'circle-opacity': 0.8,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.2,
      },
    },
    {
      id: 'crime-point-labels', type: 'symbol', source: 'crimes', 'source-layer': 'crimes', minzoom: pointMinzoom,
      filter: ['all', ['has', 'location'], ['>', ['get', 'count'], 1]],
      layout: {
        visibility: showCrimes,
        'text-field': countLabel,
        'text-font': ['sans-serif'],
        'text-size': 10,
        'symbol-sort-key': ['-', 0, ['get', 'count']],
      },
      paint: { 'text-color': '#ffffff' },
    },
    // Above the crimes: a stop and search is often at a snap point that also has crimes.
    ...stopLayers(state, pointMinzoom),
    // District and ward names on top, so that MapLibre places them before the crime counts (whose
    // collision boxes would otherwise hide them); the halo keeps them legible over the circles.
    ...labelLayers(false),
  ];
}

const CRIME_LAYERS = ['crime-clusters', 'crime-points'];
const STOP_CLICK_LAYERS = ['stop-clusters', 'stop-points'];

// container: element; catalog: /catalog body; state: from readState(); options:
//   config (web/config.json), interactive controls (navigation), onIdle(summary) callback,
//   categoryName(slug) for popups.
export async function createCrimeMap(container, { catalog, state, config = {}, onAreaClick } = {}) {
  checkFields(catalog);
  const cellPx = clusterCellPx(catalog);
  const basemap = state.basemap || config.basemapStyle || null;
  let style = buildStyle(catalog, state, cellPx);
  if (basemap) style = await withBasemap(basemap, style);

  const fit = catalog.focus_bounds || catalog.bounds;
  const bounds = fit && fit.length === 4 ? fit : [-6, 49.9, 1.8, 55.9];
  // config.start {center:[lon,lat], zoom}: the view when the URL names none (default: the data's bounds).
  const start = config.start && Array.isArray(config.start.center) && Number.isFinite(config.start.zoom) ? config.start : null;
  const map = new maplibregl.Map({
    container,
    style,
    bounds: state.center || start ? undefined : [[bounds[0], bounds[1]], [bounds[2], bounds[3]]],
    center: state.center || start?.center || undefined,
    zoom: state.zoom ?? (state.center ? pointZoom(catalog) : start?.zoom),
    maxZoom: 19,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    fitBoundsOptions: { padding: 20 },
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  const attribution = new maplibregl.AttributionControl({ compact: true, customAttribution: ATTRIBUTION_LINES });
  map.addControl(attribution, 'bottom-right');
  // Compact attribution opens expanded; on a small map it would hide the map, so it starts
  // folded behind its (i) button there.
  if (container.clientWidth < 600) {
    map.once('load', () => container.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show'));
  }
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.getCanvas().setAttribute('aria-label', 'Crime map. Use the arrow keys to move and + or − to zoom.');

  const ctl = new CrimeMapController(map, catalog, state, cellPx, onAreaClick);
  await new Promise((resolve) => (map.loaded() ? resolve() : map.once('load', resolve)));
  ctl.install();
  return ctl;
}

// Puts our sources and layers on top of an outside basemap style (operator's choice).
async function withBasemap(url, ours) {
  try {
    const res = await fetch(url);
    const base = await res.json();
    base.sources = { ...base.sources, ...ours.sources };
    base.layers = [...(base.layers || []), ...ours.layers.filter((l) => l.id !== 'background')];
    return base;
  } catch (e) {
    console.warn(`crimemap: basemap style ${url} could not be loaded (${e.message}); using the plain background`);
    return ours;
  }
}

class CrimeMapController {
  constructor(map, catalog, state, cellPx, onAreaClick) {
    this.map = map;
    this.catalog = catalog;
    this.state = { ...state };
    this.cellPx = cellPx;
    this.onAreaClick = onAreaClick;
    this.pointZoom = pointZoom(catalog);  // snap points from here, clusters below
    this.categoryNames = new Map(catalog.categories.map((c) => [c.slug, c.name]));
    this.popup = null;
    this.marker = null;
    this.legendListeners = new Set();
    this.legend = null;
  }

  install() {
    const map = this.map;
    for (const id of [...CRIME_LAYERS, ...STOP_CLICK_LAYERS, 'areas-fill']) {
      map.on('mouseenter', id, () => (map.getCanvas().style.cursor = 'pointer'));
      map.on('mouseleave', id, () => (map.getCanvas().style.cursor = ''));
    }
    map.on('click', (e) => this.handleClick(e));
    map.on('idle', () => this.updateChoropleth());
  }

  categoryName(slug) {
    return this.categoryNames.get(slug) || slug;
  }

  handleClick(e) {
    const map = this.map;
    const pad = 4;
    const box = [[e.point.x - pad, e.point.y - pad], [e.point.x + pad, e.point.y + pad]];
    const stopHits = this.state.layers.includes('stops') ? map.queryRenderedFeatures(box, { layers: STOP_CLICK_LAYERS }) : [];
    if (stopHits.length) {  // drawn on top of the crimes
      if (stopHits[0].layer.id === 'stop-clusters') this.zoomIntoCluster(stopHits[0]);
      else this.showStopDetails(stopHits[0]);
      return;
    }
    const crimeLayers = CRIME_LAYERS.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
    const hits = crimeLayers.length ? map.queryRenderedFeatures(box, { layers: crimeLayers }) : [];
    if (hits.length) {
      // Of the circles under the pointer, the one whose centre is nearest.
      const dist = (h) => {
        const p = map.project(h.geometry.coordinates);
        return (p.x - e.point.x) ** 2 + (p.y - e.point.y) ** 2;
      };
      const f = hits.reduce((best, h) => (dist(h) < dist(best) ? h : best));
      if (f.layer.id === 'crime-clusters') this.zoomIntoCluster(f);
      else this.showPointDetails(f);
      return;
    }
    if (this.state.layers.includes('areas')) {
      const areas = map.queryRenderedFeatures(e.point, { layers: ['areas-fill'] });
      if (areas.length) this.showAreaDetails(areas[0], e.lngLat);
    }
  }

  zoomIntoCluster(f) {
    const [lon, lat] = f.geometry.coordinates;
    const zoom = Math.min(Math.max(this.map.getZoom() + 2, 0), this.pointZoom + 1);
    this.map.easeTo({ center: [lon, lat], zoom, duration: 500 });
  }

  // Details at a snap point: its location and the counts per category.
  showPointDetails(f) {
    const p = f.properties;
    const rows = this.categoryCounts(p)
      .map(([slug, n]) => `<tr><th scope="row">${esc(this.categoryName(slug))}</th><td>${n.toLocaleString('en-GB')}</td></tr>`)
      .join('');
    const s = this.state;
    const link = s.from === s.to && p.location_id !== undefined
      ? `<p><a href="/api/crimes-at-location?date=${s.to}&amp;location_id=${encodeURIComponent(p.location_id)}">The crimes as JSON</a></p>`
      : '';
    const html = `<div class="cm-popup" role="dialog" aria-label="${esc(p.location || 'Location')}">
      <h3>${esc(p.location || 'Location')}</h3>
      <p><strong>${Number(p.count).toLocaleString('en-GB')}</strong> ${Number(p.count) === 1 ? 'crime' : 'crimes'}, ${esc(periodLabel(s.from, s.to))}</p>
      <table class="cm-counts"><tbody>${rows}</tbody></table>${link}</div>`;
    this.openPopup(f.geometry.coordinates, html);
  }

  // Stop and search at a snap point: counts by object of search and by outcome.
  showStopDetails(f) {
    const p = f.properties;
    const s = this.state;
    const rows = (prefix) => Object.entries(STOP_GROUP_LABELS)
      .filter(([k]) => k.startsWith(prefix) && Number(p[k]) > 0)
      .map(([k, label]) => `<tr><th scope="row">${esc(label)}</th><td>${Number(p[k]).toLocaleString('en-GB')}</td></tr>`)
      .join('');
    const title = p.location || 'Stop and search';
    const html = `<div class="cm-popup" role="dialog" aria-label="${esc(title)}">
      <h3>${esc(title)}</h3>
      <p><strong>${Number(p.count).toLocaleString('en-GB')}</strong> stop and search${Number(p.count) === 1 ? '' : 'es'}, ${esc(periodLabel(s.from, s.to))}</p>
      <table class="cm-counts"><caption>Searched for</caption><tbody>${rows('obj_')}</tbody></table>
      <table class="cm-counts"><caption>Outcome</caption><tbody>${rows('out_')}</tbody></table></div>`;
    this.openPopup(f.geometry.coordinates, html);
  }

  showAreaDetails(f, lngLat) {
    const p = f.properties;
    const s = this.state;
    const lines = [`<strong>${Number(p.crimes ?? 0).toLocaleString('en-GB')}</strong> crimes, ${esc(periodLabel(s.from, s.to))}`];
    if (p.per_1000 !== undefined) lines.push(`${Number(p.per_1000).toLocaleString('en-GB')} per 1,000 residents`);
    if (p.change !== undefined) lines.push(`${p.change > 0 ? '+' : ''}${p.change}% on the previous ${periodLength(s)}`);
    let extra = '';
    if (p.kind === 'neighbourhood' && typeof p.code === 'string' && p.code.includes('/')) {
      const [force, id] = p.code.split('/');
      extra = `<p><a class="cm-meeting-pack" href="/v1/neighbourhoods/${encodeURIComponent(force)}/${encodeURIComponent(id)}/meeting-pack?month=${s.to}">Meeting pack</a></p>`;
    }
    const html = `<div class="cm-popup" role="dialog" aria-label="${esc(p.name || p.code)}">
      <h3>${esc(p.name || p.code)}</h3><p class="cm-sub">${esc(AREA_KIND_LABELS[p.kind] || p.kind || '')} ${esc(p.code || '')}</p>
      <p>${lines.join('<br>')}</p>${extra}</div>`;
    this.openPopup([lngLat.lng, lngLat.lat], html);
    if (this.onAreaClick) this.onAreaClick(p);
  }

  openPopup(lngLat, html) {
    if (this.popup) this.popup.remove();
    this.popup = new maplibregl.Popup({ maxWidth: '300px', focusAfterOpen: true }).setLngLat(lngLat).setHTML(html).addTo(this.map);
  }

  // [[slug, count], ...] of a feature's per-category properties, largest first.
  categoryCounts(props) {
    return this.catalog.categories
      .filter((c) => Number(props[c.slug]) > 0)
      .map((c) => [c.slug, Number(props[c.slug])])
      .sort((a, b) => b[1] - a[1]);
  }

  // New months or categories: every crime and area tile URL changes.
  setFilters({ from, to, categories }) {
    Object.assign(this.state, { from, to, categories: [...categories] });
    this.map.getSource('crimes').setTiles([crimeTileUrl(this.catalog, this.state)]);
    this.map.getSource('areas').setTiles([areaTileUrl(this.catalog, this.state, this.state.kind)]);
    this.map.getSource('stops').setTiles([stopTileUrl(this.catalog, this.state)]);
    this.legendKey = null;
    if (this.popup) this.popup.remove();
  }

  // The optional stop-and-search layer (off by default; layers=...,stops in the URL).
  setStopsVisible(visible) {
    const layers = this.state.layers.filter((l) => l !== 'stops');
    if (visible) layers.push('stops');
    this.state.layers = layers;
    for (const id of STOP_LAYERS) this.map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }

  // kind: 'lsoa' | 'ward' | 'neighbourhood' | null (no choropleth).
  setAreaKind(kind) {
    const layers = this.state.layers.filter((l) => l !== 'areas');
    if (kind) {
      layers.push('areas');
      if (kind !== this.state.kind) {
        this.state.kind = kind;
        this.map.getSource('areas').setTiles([areaTileUrl(this.catalog, this.state, kind)]);
      }
    }
    this.state.layers = layers;
    const vis = kind ? 'visible' : 'none';
    this.map.setLayoutProperty('areas-fill', 'visibility', vis);
    this.map.setLayoutProperty('areas-outline', 'visibility', vis);
    this.legendKey = null;
    this.legend = null;
    if (!kind) this.emitLegend();
  }

  setCrimesVisible(visible) {
    const layers = this.state.layers.filter((l) => l !== 'crimes');
    if (visible) layers.unshift('crimes');
    this.state.layers = layers;
    for (const id of ['crime-clusters', 'crime-cluster-labels', 'crime-points', 'crime-point-labels'])
      this.map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }

  // A marker at a looked-up postcode, and the map moved there.
  showPostcode(result, { zoom = POSTCODE_ZOOM, animate = true } = {}) {
    const center = [result.longitude, result.latitude];
    if (!this.marker) {
      const el = document.createElement('div');
      el.className = 'cm-postcode-marker';
      el.setAttribute('role', 'img');
      this.marker = new maplibregl.Marker({ element: el, anchor: 'bottom' });
    }
    this.marker.getElement().setAttribute('aria-label', `Postcode ${result.postcode}`);
    this.marker.getElement().title = result.postcode;
    this.marker.setLngLat(center).addTo(this.map);
    if (animate) this.map.flyTo({ center, zoom, speed: 2.5, essential: true });
    else this.map.jumpTo({ center, zoom });
  }

  view() {
    const c = this.map.getCenter();
    return { center: [c.lng, c.lat], zoom: this.map.getZoom() };
  }

  // Crime features drawn in the viewport (clusters below the point zoom, snap points from it), each counted
  // once, with the sum of their counts in total and per category.
  crimesInView() {
    const map = this.map;
    const layers = CRIME_LAYERS.filter((id) => map.getLayoutProperty(id, 'visibility') !== 'none');
    const seen = new Set();
    const features = [];
    const byCategory = {};
    let total = 0;
    for (const f of map.queryRenderedFeatures({ layers })) {
      const [lon, lat] = f.geometry.coordinates;
      const key = f.properties.location_id !== undefined ? `p${f.properties.location_id}` : `c${f.id}:${lon.toFixed(6)},${lat.toFixed(6)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const count = Number(f.properties.count) || 0;
      total += count;
      for (const c of this.catalog.categories) {
        const n = Number(f.properties[c.slug]) || 0;
        if (n) byCategory[c.slug] = (byCategory[c.slug] || 0) + n;
      }
      features.push({ lon, lat, count, location: f.properties.location, location_id: f.properties.location_id,
        points: f.layer.id === 'crime-points', properties: { ...f.properties } });
    }
    return { total, byCategory, features, points: features.length > 0 && features.every((f) => f.points) };
  }

  // Choropleth classes: quintiles of the metric over the areas loaded for the current view,
  // per 1,000 residents where the areas know their population, else crime counts.
  updateChoropleth() {
    if (!this.state.layers.includes('areas')) return;
    const feats = this.map.querySourceFeatures('areas', { sourceLayer: 'areas' });
    if (!feats.length) return;
    const byCode = new Map();
    for (const f of feats) byCode.set(f.properties.code, f.properties);
    const props = [...byCode.values()];
    const withRate = props.filter((p) => p.per_1000 !== undefined).length;
    const metric = withRate >= props.length * 0.8 ? 'per_1000' : 'crimes';
    const values = props.map((p) => Number(p[metric])).filter(Number.isFinite).sort((a, b) => a - b);
    if (!values.length) return;
    const breaks = [];
    for (let i = 1; i < CHOROPLETH_COLORS.length; i++) {
      const v = values[Math.min(values.length - 1, Math.floor((values.length * i) / CHOROPLETH_COLORS.length))];
      if (!breaks.length || v > breaks[breaks.length - 1]) breaks.push(v);
    }
    const key = `${this.state.kind}|${metric}|${breaks.join(',')}`;
    if (key === this.legendKey) return;
    this.legendKey = key;
    const step = ['step', ['to-number', ['get', metric]], CHOROPLETH_COLORS[0]];
    breaks.forEach((b, i) => step.push(b, CHOROPLETH_COLORS[i + 1]));
    this.map.setPaintProperty('areas-fill', 'fill-color', ['case', ['has', metric], step, NO_DATA_COLOR]);
    const classes = [];
    let lo = values[0];
    for (let i = 0; i <= breaks.length; i++) {
      const hi = i < breaks.length ? breaks[i] : values[values.length - 1];
      classes.push({ color: CHOROPLETH_COLORS[i], from: lo, to: hi, last: i === breaks.length });
      lo = hi;
    }
    this.legend = { kind: this.state.kind, metric, classes, areas: props.length };
    this.emitLegend();
  }

  onLegend(fn) {
    this.legendListeners.add(fn);
  }

  emitLegend() {
    for (const fn of this.legendListeners) fn(this.state.layers.includes('areas') ? this.legend : null);
  }
}

// The stops layer's group fields (README, "Vector tiles"), as the popup names them.
const STOP_GROUP_LABELS = {
  obj_drugs: 'Drugs', obj_weapons: 'Weapons', obj_stolen: 'Stolen goods', obj_theft: 'Articles for theft',
  obj_damage: 'Articles for criminal damage', obj_other: 'Other or not recorded',
  out_nfa: 'No further action', out_arrest: 'Arrest', out_summons: 'Summons', out_caution: 'Caution',
  out_community: 'Community resolution', out_warning: 'Drugs warning', out_penalty: 'Penalty notice',
  out_other: 'Other or not recorded',
};

function periodLength(s) {
  const n = (Number(s.to.slice(0, 4)) * 12 + Number(s.to.slice(5))) - (Number(s.from.slice(0, 4)) * 12 + Number(s.from.slice(5))) + 1;
  return n === 1 ? 'month' : `${n} months`;
}


// Legend markup for the choropleth (shared by the page and the widget).
export function legendHtml(legend) {
  if (!legend) return '';
  const fmt = (v) => (legend.metric === 'per_1000' ? v.toFixed(1) : Math.round(v).toLocaleString('en-GB'));
  const title = legend.metric === 'per_1000' ? 'Crimes per 1,000 residents' : 'Crimes';
  const rows = legend.classes
    .map((c) => `<li><span class="cm-swatch" style="background:${c.color}"></span>${fmt(c.from)}${c.last ? '+' : `–${fmt(c.to)}`}</li>`)
    .join('');
  return `<p class="cm-legend-title">${title} by ${esc(AREA_KIND_LABELS[legend.kind] || legend.kind)}</p><ul class="cm-legend-list">${rows}</ul>
    <p class="cm-legend-note"><span class="cm-swatch" style="background:${NO_DATA_COLOR}"></span>no data · classes: fifths of the ${legend.areas} areas loaded</p>`;
}
