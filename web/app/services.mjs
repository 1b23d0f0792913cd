// "Local services" on the map page: districts shaded by a council performance indicator (the
// server's `performance` tile layer, indicator and period from /catalog's `indicators`), in fifths
// of the national ranking, with a legend that says which way is better, the shaded districts as a
// table, and a district's value, rank, trend and national median on selection (from
// /v1/areas/{code}/performance), linking to the indicator's league table (/league).
// The page hands it the map controller and the section's elements; nothing else here knows of it.
import { api, indicatorLeagueUrl } from './api.mjs';
import { esc } from './util.mjs';
import { CHOROPLETH_COLORS, NO_DATA_COLOR } from './palette.mjs';
import { areaTableHtml } from './choropleth-text.mjs';

const SOURCE = 'performance';
const FILL = 'performance-fill';
const OUTLINE = 'performance-outline';
// District polygons are simplified per zoom by the server; past this they are over-zoomed.
const MAXZOOM = 12;
// Drawn under these when the style has them, so boundaries and crimes stay on top.
const ABOVE = ['ward-boundaries', 'boundaries', 'crime-clusters'];
const CRIME_LAYERS = ['crime-clusters', 'crime-points'];

// The performance tile fields read here; /catalog (the server's layer registry) must publish
// them, or the section stays hidden and says why in the console (the browser tests fail on it).
const FIELDS_USED = ['code', 'name', 'area_code', 'via', 'value', 'rank', 'of', 'quintile'];

const num = (v) => (v === null || v === undefined ? '–' : Number(v).toLocaleString('en-GB', { maximumFractionDigits: 2 }));

export const POLARITY_TEXT = {
  higher_is_better: 'Higher is better',
  lower_is_better: 'Lower is better',
  neutral: 'Neither higher nor lower is better',
};

// Quintile 1 ranks first: the best fifth by the polarity, or for a neutral indicator the highest
// values. The palette runs light to dark, so the worst fifth (neutral: the highest values) is
// the darkest.
export function quintileColor(quintile, polarity) {
  const i = polarity === 'neutral' ? 5 - quintile : quintile - 1;
  return CHOROPLETH_COLORS[i] ?? NO_DATA_COLOR;
}

// Words for the end quintiles ('' for the middle ones).
function quintileLabel(q, polarity) {
  if (polarity === 'neutral') return { 1: 'highest fifth', 5: 'lowest fifth' }[q] || '';
  return { 1: 'best fifth', 5: 'worst fifth' }[q] || '';
}
const withLabel = (q, polarity) => (quintileLabel(q, polarity) ? `${q} (${quintileLabel(q, polarity)})` : String(q));

// The value range of each quintile among the councils ranked: [{quintile, min, max, count}].
export function quintileRanges(rows) {
  const out = [];
  for (let q = 1; q <= 5; q++) {
    const values = rows.filter((r) => r.quintile === q && Number.isFinite(r.value)).map((r) => r.value);
    if (values.length) out.push({ quintile: q, min: Math.min(...values), max: Math.max(...values), count: values.length });
  }
  return out;
}

function tileUrl(catalog, indicator, period) {
  const q = new URLSearchParams({ v: String(catalog.dataset_version), indicator, period });
  return `${window.location.origin}/tiles/performance/{z}/{x}/{y}.mvt?${q}`;
}

// els: {section, indicator, period, legend, table, detail, league} elements of the page.
// onShow(): called when districts become shaded (the page turns its crime shading off: two
// choropleths over each other cannot be read).
export function createServices({ ctl, catalog, els, initial = {}, onShow = () => {}, onChange = () => {} }) {
  const map = ctl.map;
  const indicators = catalog.indicators || [];
  const byCode = new Map(indicators.map((i) => [i.code, i]));
  const self = { indicator: null, period: null, league: null, tableKey: null, request: null };
  const published = new Set(((catalog.layers || []).find((l) => l.name === SOURCE)?.fields || []).map((f) => f.name));
  const missing = FIELDS_USED.filter((f) => !published.has(f));
  if (missing.length) console.error(`/catalog: the performance layer lacks the fields ${missing.join(', ')}`);
  if (!indicators.length || missing.length) {
    els.section.hidden = true;
    return { query: () => '', clear() {}, state: self };
  }

  els.indicator.innerHTML = ['<option value="">None</option>',
    ...indicators.map((i) => `<option value="${esc(i.code)}">${esc(i.name)}${i.unit ? ` (${esc(i.unit)})` : ''}</option>`)].join('');

  const bounds = catalog.bounds && catalog.bounds.length === 4 ? catalog.bounds : undefined;
  map.addSource(SOURCE, { type: 'vector', tiles: [tileUrl(catalog, indicators[0].code, indicators[0].periods.at(-1))], maxzoom: MAXZOOM, bounds });
  const before = ABOVE.find((id) => map.getLayer(id));
  map.addLayer({ id: FILL, type: 'fill', source: SOURCE, 'source-layer': 'performance', layout: { visibility: 'none' },
    paint: { 'fill-color': NO_DATA_COLOR, 'fill-opacity': 0.7 } }, before);
  map.addLayer({ id: OUTLINE, type: 'line', source: SOURCE, 'source-layer': 'performance', layout: { visibility: 'none' },
    paint: { 'line-color': '#ffffff', 'line-width': 1 } }, before);

  function fillPeriods(code, period) {
    const periods = byCode.get(code)?.periods || [];
    els.period.innerHTML = [...periods].reverse().map((p) => `<option value="${esc(p)}">${esc(p)}</option>`).join('');
    els.period.value = periods.includes(period) ? period : periods.at(-1) || '';
    els.period.disabled = !code;
  }

  async function select(code, period) {
    const ind = byCode.get(code);
    self.indicator = ind ? code : null;
    self.period = ind ? (ind.periods.includes(period) ? period : ind.periods.at(-1)) : null;
    els.indicator.value = self.indicator || '';
    fillPeriods(self.indicator, self.period);
    self.tableKey = null;
    els.table.innerHTML = '';
    els.detail.innerHTML = '';
    if (ctl.popup) ctl.popup.remove();  // it showed the previous indicator's figures
    const vis = ind ? 'visible' : 'none';
    map.setLayoutProperty(FILL, 'visibility', vis);
    map.setLayoutProperty(OUTLINE, 'visibility', vis);
    els.league.href = ind ? indicatorLeagueUrl(self.indicator, self.period) : '/league?kind=lad';
    els.league.textContent = ind ? `League table of councils: ${ind.name}, ${self.period}` : 'League table of councils';
    onChange();
    if (!ind) {
      self.league = null;
      els.legend.innerHTML = '';
      return;
    }
    onShow();
    map.getSource(SOURCE).setTiles([tileUrl(catalog, self.indicator, self.period)]);
    const polarity = ind.polarity;
    const paint = ['match', ['to-number', ['get', 'quintile']]];
    for (let q = 1; q <= 5; q++) paint.push(q, quintileColor(q, polarity));
    paint.push(NO_DATA_COLOR);
    map.setPaintProperty(FILL, 'fill-color', paint);
    els.legend.innerHTML = `<p class="cm-legend-title">${esc(ind.name)}, ${esc(self.period)}</p><p>Loading the ranking…</p>`;
    const asked = `${self.indicator}|${self.period}`;
    let league;
    try {
      league = await api.indicatorLeague(self.indicator, self.period);
    } catch (e) {
      if (`${self.indicator}|${self.period}` === asked) els.legend.innerHTML = `<p class="cm-error-text">The ranking is not available: ${esc(e.message)}</p>`;
      return;
    }
    if (`${self.indicator}|${self.period}` !== asked) return;  // a newer choice won
    self.league = league;
    els.legend.innerHTML = legendHtml(ind, self.period, league);
    self.tableKey = null;
    updateTable();
  }

  function legendHtml(ind, period, league) {
    const polarity = ind.polarity;
    const ranges = quintileRanges(league.rows || []);
    const items = ranges.map((r) => `<li data-quintile="${r.quintile}"><span class="cm-swatch" style="background:${quintileColor(r.quintile, polarity)}"></span>
      <span>Quintile ${withLabel(r.quintile, polarity)}: <span class="cm-range">${num(r.min)}${r.max !== r.min ? `–${num(r.max)}` : ''}</span></span></li>`).join('');
    const order = polarity === 'neutral'
      ? 'quintile 1 holds the highest values'
      : `quintile 1 is the best fifth`;
    return `<p class="cm-legend-title">${esc(ind.name)}${ind.unit ? ` (${esc(ind.unit)})` : ''}, ${esc(period)}</p>
      <p class="cm-polarity" data-polarity="${esc(polarity)}"><strong>${POLARITY_TEXT[polarity] || esc(polarity)}</strong>: ${order} of the ${num(league.ranked ?? (league.rows || []).length)} councils ranked in England.</p>
      <ul class="cm-legend-list">${items}</ul>
      <p class="cm-services-note"><span class="cm-swatch" style="background:${NO_DATA_COLOR}"></span> no value.
      National median: <span class="cm-median">${num(league.comparison?.national_median)}</span>.
      A district without a value of its own shows its county council's.</p>`;
  }

  // The text equivalent: the districts shaded in the tiles loaded, best rank first.
  function updateTable() {
    if (!self.indicator || !self.league) return;
    const seen = new Map();
    for (const f of map.querySourceFeatures(SOURCE, { sourceLayer: 'performance' })) seen.set(f.properties.code, f.properties);
    const key = `${self.indicator}|${self.period}|${[...seen.keys()].sort().join(',')}`;
    if (key === self.tableKey) return;
    self.tableKey = key;
    const names = new Map((self.league.rows || []).map((r) => [r.code, r.name]));
    const ind = byCode.get(self.indicator);
    const rows = [...seen.values()]
      .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || String(a.name).localeCompare(String(b.name)))
      .map((p) => ({
        header: `<button type="button" class="cm-link-button" data-district="${esc(p.code)}">${esc(p.name || p.code)}</button>` +
          (p.via === 'county' ? ` <span class="cm-sub">(${esc(names.get(p.area_code) || p.area_code)}'s value)</span>` : ''),
        cells: p.value === undefined
          ? ['no value', '–', '–']
          : [num(p.value), `${num(p.rank)} of ${num(p.of)}`, withLabel(Number(p.quintile), ind.polarity)],
      }));
    self.districts = seen;
    els.table.innerHTML = areaTableHtml({
      id: 'cm-services-table-districts',
      summary: `The shaded districts as a table (${rows.length})`,
      caption: `${ind.name}, ${self.period}, by district`,
      columns: ['District', 'Value', 'Rank', 'Quintile'],
      rows,
    });
  }

  // A district's figures (its own or its county's) with the trend over the periods published: in a
  // popup for a click on the map (it takes focus), in the panel for a button of the table.
  async function showDetails(props, lngLat) {
    const ind = byCode.get(self.indicator);
    if (!ind) return;
    const code = props.area_code || props.code;
    if (self.request) self.request.abort();
    const ctrl = new AbortController();
    self.request = ctrl;
    let perf;
    try {
      perf = await api.performance(code, self.indicator, { signal: ctrl.signal });
    } catch (e) {
      if (e.name === 'AbortError') return;
      els.detail.innerHTML = `<p>The figures for ${esc(props.name || code)} are not available: ${esc(e.message)}</p>`;
      return;
    }
    if (self.request !== ctrl) return;
    if (lngLat) {
      els.detail.innerHTML = '';
      ctl.openPopup([lngLat.lng, lngLat.lat], `<div class="cm-popup" role="dialog" aria-label="${esc(props.name || code)}">${detailHtml(props, perf, ind, true)}</div>`);
    } else {
      els.detail.innerHTML = detailHtml(props, perf, ind, false);
    }
  }

  // withLink: the panel has the league link already, under the details.
  function detailHtml(props, perf, ind, withLink) {
    const series = (perf.indicators || []).find((i) => i.indicator === self.indicator)?.series || [];
    const at = series.findIndex((s) => s.period === self.period);
    const cur = series[at];
    const via = props.via === 'county' ? `<p class="cm-sub">${esc(props.name)} shows the value of ${esc(perf.name || props.area_code)}, which provides this service.</p>` : '';
    const link = withLink
      ? `<p><a class="cm-services-league-link" href="${esc(indicatorLeagueUrl(self.indicator, self.period))}">League table: ${esc(ind.name)}, ${esc(self.period)}</a></p>`
      : '';
    if (!cur) return `<h3>${esc(props.name)}</h3>${via}<p>No value for ${esc(self.period)}.</p>${link}`;
    const unit = ind.unit ? ` ${esc(ind.unit)}` : '';
    const prev = at > 0 ? series[at - 1] : null;
    let trend = 'No earlier value to compare with.';
    if (prev) {
      const d = cur.value - prev.value;
      const dir = d > 0 ? 'Up' : d < 0 ? 'Down' : 'Unchanged';
      const judged = d === 0 || ind.polarity === 'neutral' ? '' : ((d > 0) === (ind.polarity === 'higher_is_better') ? ', better' : ', worse');
      trend = d === 0 ? `Unchanged since ${esc(prev.period)} (${num(prev.value)}).` : `${dir} from ${num(prev.value)} in ${esc(prev.period)}${judged}.`;
    }
    const rows = series.map((s) => `<tr${s.period === self.period ? ' aria-current="true"' : ''}><th scope="row">${esc(s.period)}</th><td>${num(s.value)}</td><td>${num(s.rank)} of ${num(s.of)}</td><td>${num(s.national_median)}</td></tr>`).join('');
    return `<h3>${esc(props.name)}</h3>${via}
      <p>${esc(ind.name)}, ${esc(self.period)}: <strong class="cm-value">${num(cur.value)}</strong>${unit}</p>
      <p>Rank <strong class="cm-rank">${num(cur.rank)}</strong> of <span class="cm-of">${num(cur.of)}</span> (quintile ${num(cur.quintile)}${quintileLabel(cur.quintile, ind.polarity) ? `, the ${quintileLabel(cur.quintile, ind.polarity)}` : ''}; ${esc(POLARITY_TEXT[ind.polarity] || ind.polarity).toLowerCase()}).</p>
      <p>National median: <strong class="cm-national-median">${num(cur.national_median)}</strong></p>
      <p class="cm-trend">${trend}</p>
      <table class="cm-counts"><caption class="cm-visually-hidden">${esc(ind.name)} over time</caption>
      <thead><tr><th scope="col">Period</th><th scope="col">Value</th><th scope="col">Rank</th><th scope="col">Median</th></tr></thead><tbody>${rows}</tbody></table>${link}`;
  }

  els.indicator.addEventListener('change', () => select(els.indicator.value, null));
  els.period.addEventListener('change', () => select(self.indicator, els.period.value));
  els.table.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-district]');
    if (b && self.districts?.has(b.dataset.district)) showDetails(self.districts.get(b.dataset.district), null);
  });
  map.on('idle', updateTable);
  map.on('click', (e) => {
    if (!self.indicator) return;
    // A crime circle under the pointer is the map controller's (it zooms in or shows the place).
    const pad = 4;
    const box = [[e.point.x - pad, e.point.y - pad], [e.point.x + pad, e.point.y + pad]];
    const crimes = CRIME_LAYERS.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
    if (crimes.length && map.queryRenderedFeatures(box, { layers: crimes }).length) return;
    const hit = map.queryRenderedFeatures(e.point, { layers: [FILL] })[0];
    if (hit) showDetails(hit.properties, e.lngLat);
  });

  select(initial.indicator, initial.period);
  return {
    state: self,
    // The page's address bar: indicator=CODE&period=P while districts are shaded.
    query: () => (self.indicator ? new URLSearchParams({ indicator: self.indicator, period: self.period }).toString() : ''),
    clear: () => (self.indicator ? select(null, null) : undefined),
    select,
  };
}
