// The view a page shows, read from and written to a query string. The map page, the widget
// (/embed) and the snippet page (/embed/snippet) share these parameters:
//   postcode=HR1 1AA | center=lon,lat & zoom=Z
//   layers=crimes[,areas][,stops]  kind=lsoa|ward|neighbourhood  from=YYYY-MM  to=YYYY-MM
//   category=slug[,slug]   basemap=<style URL>
// Values are checked against /catalog; anything unusable falls back to the default.

export const AREA_KINDS = ['lsoa', 'ward', 'neighbourhood'];
export const AREA_KIND_LABELS = { lsoa: 'LSOA', ward: 'Ward', neighbourhood: 'Neighbourhood' };
const LAYERS = ['crimes', 'areas', 'stops'];  // stops: stop and search, off unless asked for
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

export function monthIndex(m) {
  const [y, mm] = m.split('-').map(Number);
  return y * 12 + (mm - 1);
}

export function monthsBetween(from, to) {
  return monthIndex(to) - monthIndex(from) + 1;
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export function monthLabel(m) {
  const [y, mm] = m.split('-').map(Number);
  return `${MONTH_NAMES[mm - 1]} ${y}`;
}

export function periodLabel(from, to) {
  return from === to ? monthLabel(from) : `${monthLabel(from)} – ${monthLabel(to)}`;
}

// catalog: the /catalog body. Returns a complete, valid state.
export function readState(search, catalog) {
  const p = new URLSearchParams(search);
  const months = catalog.months.length ? catalog.months : [catalog.last_month];
  const last = months[months.length - 1];
  const slugs = new Set(catalog.categories.map((c) => c.slug));
  const kinds = availableAreaKinds(catalog);

  const state = {
    postcode: null,
    center: null,
    zoom: null,
    layers: ['crimes'],
    kind: kinds[0] || 'lsoa',
    from: last,
    to: last,
    categories: [],  // empty = all
    basemap: null,
  };

  const pc = (p.get('postcode') || '').trim();
  if (pc && pc.length <= 10) state.postcode = pc;

  const c = (p.get('center') || '').split(',').map(Number);
  if (c.length === 2 && c.every(Number.isFinite) && Math.abs(c[0]) <= 180 && Math.abs(c[1]) <= 85) state.center = c;
  const z = Number(p.get('zoom'));
  if (p.has('zoom') && Number.isFinite(z) && z >= 0 && z <= 20) state.zoom = z;

  if (p.has('layers')) {
    const ls = p.get('layers').split(',').map((s) => s.trim()).filter((s) => LAYERS.includes(s));
    state.layers = [...new Set(ls)];
  }
  const kind = p.get('kind');
  if (kind && kinds.includes(kind)) state.kind = kind;

  const to = p.get('to');
  if (to && MONTH_RE.test(to)) state.to = clampMonth(to, months);
  const from = p.get('from');
  state.from = from && MONTH_RE.test(from) ? clampMonth(from, months) : state.to;
  if (monthIndex(state.from) > monthIndex(state.to)) [state.from, state.to] = [state.to, state.from];

  if (p.has('category')) {
    const cats = p.get('category').split(',').map((s) => s.trim()).filter((s) => slugs.has(s));
    state.categories = cats.length === slugs.size ? [] : [...new Set(cats)];
  }

  const basemap = p.get('basemap');
  if (basemap && /^https?:\/\//.test(basemap)) state.basemap = basemap;
  return state;
}

function clampMonth(m, months) {
  if (monthIndex(m) <= monthIndex(months[0])) return months[0];
  if (monthIndex(m) >= monthIndex(months[months.length - 1])) return months[months.length - 1];
  return m;
}

export function availableAreaKinds(catalog) {
  const present = new Map((catalog.area_kinds || []).map((k) => [k.kind, k.areas]));
  return AREA_KINDS.filter((k) => (present.get(k) || 0) > 0);
}

// The filter parameters tile URLs and links carry (defaults omitted only for category).
export function filterParams(state) {
  const q = new URLSearchParams();
  q.set('from', state.from);
  q.set('to', state.to);
  if (state.categories.length) q.set('category', state.categories.join(','));
  return q;
}

// A query string describing the view: view = {center:[lon,lat], zoom} (from the map), or the
// postcode when asked to keep it.
export function stateQuery(state, view, { keepPostcode = false } = {}) {
  const q = new URLSearchParams();
  if (keepPostcode && state.postcode) {
    q.set('postcode', state.postcode);
  } else if (view) {
    q.set('center', `${view.center[0].toFixed(5)},${view.center[1].toFixed(5)}`);
    q.set('zoom', String(Math.round(view.zoom * 100) / 100));
  }
  if (state.layers.join(',') !== 'crimes') q.set('layers', state.layers.join(','));
  if (state.layers.includes('areas')) q.set('kind', state.kind);
  for (const [k, v] of filterParams(state)) q.set(k, v);
  if (state.basemap) q.set('basemap', state.basemap);
  return q.toString().replace(/%2C/g, ',');
}
