// The map page at '/': postcode search, filters, area shading, "compare your area" and the
// crimes in view. The view is kept in the address bar so it can be shared or embedded.
import { api, ApiError, meetingPackUrl, normalisePostcode } from './api.mjs';
import { createCrimeMap, loadConfig, legendHtml, esc, POSTCODE_ZOOM } from './crimemap.mjs';
import {
  readState, stateQuery, availableAreaKinds, monthLabel, monthsBetween, monthIndex, periodLabel, AREA_KIND_LABELS,
} from './state.mjs';
import { renderCompare } from './compare.mjs';
import { createServices } from './services.mjs';
import { crimeAreasText } from './choropleth-text.mjs';

const $ = (id) => document.getElementById(id);
const status = (text, { error = false } = {}) => {
  const el = $('cm-status');
  el.textContent = text;
  el.classList.toggle('cm-error', error);
};

async function main() {
  let catalog;
  try {
    catalog = await api.catalog();
  } catch (e) {
    status(`The map data is not available: ${e.message}`, { error: true });
    return;
  }
  const config = await loadConfig();
  const state = readState(window.location.search, catalog);
  const ctl = await createCrimeMap($('cm-map'), { catalog, state, config });
  const map = ctl.map;
  const page = { catalog, state, ctl, map, postcode: null, summaryRequest: null };
  window.crimemap = page;  // for the browser tests and the console

  buildMonthControls(page);
  buildCategoryControls(page);
  buildAreaControls(page);
  buildOptionalLayerControls(page);
  ctl.onLegend((legend) => {
    $('cm-legend').innerHTML = legendHtml(legend);
    $('cm-legend-text').innerHTML = crimeAreasText(map, legend);
  });
  buildServices(page);

  $('cm-search').addEventListener('submit', (e) => {
    e.preventDefault();
    const pc = $('cm-postcode').value.trim();
    if (pc) findPostcode(page, pc, { move: true });
  });
  map.on('idle', () => updateInView(page));
  map.on('moveend', () => updateUrl(page));

  if (state.postcode) {
    $('cm-postcode').value = normalisePostcode(state.postcode);
    await findPostcode(page, state.postcode, { move: !state.center });
  }
  updateUrl(page);
}

function buildMonthControls(page) {
  const { catalog, state } = page;
  const months = catalog.months.length ? catalog.months : [catalog.last_month];
  for (const id of ['cm-from', 'cm-to']) {
    const sel = $(id);
    sel.innerHTML = months.map((m) => `<option value="${m}">${monthLabel(m)}</option>`).join('');
  }
  $('cm-from').value = state.from;
  $('cm-to').value = state.to;
  const changed = (which) => {
    let from = $('cm-from').value, to = $('cm-to').value;
    if (monthIndex(from) > monthIndex(to)) {
      if (which === 'from') to = from;
      else from = to;
      $('cm-from').value = from;
      $('cm-to').value = to;
    }
    applyFilters(page, { from, to });
  };
  $('cm-from').addEventListener('change', () => changed('from'));
  $('cm-to').addEventListener('change', () => changed('to'));
}

function buildCategoryControls(page) {
  const { catalog, state } = page;
  const selected = new Set(state.categories.length ? state.categories : catalog.categories.map((c) => c.slug));
  $('cm-category-list').innerHTML = catalog.categories
    .map((c) => `<label class="cm-check"><input type="checkbox" name="category" value="${esc(c.slug)}"${selected.has(c.slug) ? ' checked' : ''}>
      ${esc(c.name)}</label>`)
    .join('');
  const boxes = () => [...document.querySelectorAll('#cm-category-list input[type=checkbox]')];
  let timer = null;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const checked = boxes().filter((b) => b.checked).map((b) => b.value);
      applyFilters(page, { categories: checked });
    }, 250);
  };
  $('cm-category-list').addEventListener('change', changed);
  $('cm-cat-all').addEventListener('click', () => { boxes().forEach((b) => (b.checked = true)); changed(); });
  $('cm-cat-none').addEventListener('click', () => { boxes().forEach((b) => (b.checked = false)); changed(); });
}

// "Local services" (services.mjs). Its districts and the crime shading exclude each other.
function buildServices(page) {
  const q = new URLSearchParams(window.location.search);
  const ids = { section: 'cm-services', indicator: 'cm-indicator', period: 'cm-period', legend: 'cm-services-legend',
    table: 'cm-services-text', detail: 'cm-services-detail', league: 'cm-services-league' };
  page.services = createServices({
    ctl: page.ctl,
    catalog: page.catalog,
    els: Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, $(id)])),
    initial: { indicator: q.get('indicator'), period: q.get('period') },
    onShow: () => {
      if (!page.ctl.state.layers.includes('areas')) return;
      document.querySelector('#cm-area-options input[value=""]').checked = true;
      page.ctl.setAreaKind(null);
      page.state.layers = page.ctl.state.layers;
    },
    onChange: () => page.services && updateUrl(page),
  });
}

function buildAreaControls(page) {
  const { catalog, state, ctl } = page;
  const kinds = availableAreaKinds(catalog);
  const current = state.layers.includes('areas') ? state.kind : '';
  const options = [['', 'None'], ...kinds.map((k) => [k, AREA_KIND_LABELS[k]])];
  $('cm-area-options').innerHTML = options
    .map(([value, label]) => `<label class="cm-radio"><input type="radio" name="area-kind" value="${value}"${value === current ? ' checked' : ''}> ${label}</label>`)
    .join('');
  $('cm-area-options').addEventListener('change', (e) => {
    if (e.target.name !== 'area-kind') return;
    if (e.target.value) page.services?.clear();
    ctl.setAreaKind(e.target.value || null);
    page.state.layers = ctl.state.layers;
    page.state.kind = ctl.state.kind;
    updateUrl(page);
  });
}

// Optional layers, off by default: stop and search (where /catalog lists the layer).
function buildOptionalLayerControls(page) {
  const { catalog, ctl } = page;
  const box = $('cm-stops');
  if (!(catalog.layers || []).some((l) => l.name === 'stops')) {
    $('cm-layers').hidden = true;
    return;
  }
  box.checked = page.state.layers.includes('stops');
  box.addEventListener('change', () => {
    ctl.setStopsVisible(box.checked);
    page.state.layers = ctl.state.layers;
    updateUrl(page);
  });
}

// changes: {from, to} and/or {categories: [checked slugs]}.
function applyFilters(page, changes) {
  const { catalog, state, ctl } = page;
  if (changes.from) Object.assign(state, { from: changes.from, to: changes.to });
  if (changes.categories) {
    const all = changes.categories.length === catalog.categories.length;
    state.categories = all ? [] : changes.categories;
    page.noCategories = changes.categories.length === 0;
  }
  ctl.setCrimesVisible(!page.noCategories);
  ctl.setFilters(state);
  page.state.layers = ctl.state.layers;
  updateUrl(page);
  if (page.postcode && changes.from) loadCompare(page, page.postcode);
}

async function findPostcode(page, text, { move }) {
  const pc = normalisePostcode(text);
  const input = $('cm-postcode');
  status(`Looking up ${pc}…`);
  input.removeAttribute('aria-invalid');
  let result;
  try {
    result = await api.postcode(pc);
  } catch (e) {
    input.setAttribute('aria-invalid', 'true');
    status(e instanceof ApiError && e.status === 404 ? `${pc}: ${e.message}` : `Could not look up ${pc}: ${e.message}`, { error: true });
    return;
  }
  page.postcode = result;
  page.state.postcode = result.postcode;
  input.value = result.postcode;
  const place = [result.admin_ward, result.admin_district].filter(Boolean).join(', ');
  status(`${result.postcode}${place ? `: ${place}` : ''}`);
  page.ctl.showPostcode(result, { animate: move, zoom: move ? POSTCODE_ZOOM : page.map.getZoom() });
  if (!move) page.ctl.marker.setLngLat([result.longitude, result.latitude]);
  updateUrl(page);
  await loadCompare(page, result);
}

async function loadCompare(page, result) {
  const section = $('cm-compare');
  const body = $('cm-compare-body');
  section.hidden = false;
  const months = monthsBetween(page.state.from, page.state.to);
  const nb = result.neighbourhood;
  const pack = nb && nb.force && nb.id ? meetingPackUrl(nb.force, nb.id, page.state.to) : null;
  body.innerHTML = `<p>Loading the summary for ${esc(result.postcode)}…</p>`;
  if (page.summaryRequest) page.summaryRequest.abort();
  const ctrl = new AbortController();
  page.summaryRequest = ctrl;
  let summary = null, error = null;
  try {
    summary = await api.summary(result.postcode, months, { signal: ctrl.signal });
  } catch (e) {
    if (e.name === 'AbortError') return;
    error = e;
  }
  if (page.summaryRequest !== ctrl) return;
  body.innerHTML = renderCompare({ result, summary, error, months, pack, categoryName: (s) => page.ctl.categoryName(s) });
}

function updateInView(page) {
  const el = $('cm-inview');
  const { state, ctl } = page;
  if (page.noCategories) {
    el.innerHTML = '<p>No crime category is selected.</p>';
    return;
  }
  const v = ctl.crimesInView();
  const period = periodLabel(state.from, state.to);
  const cats = Object.entries(v.byCategory).sort((a, b) => b[1] - a[1]);
  const rows = cats
    .map(([slug, n]) => `<tr><th scope="row">${esc(ctl.categoryName(slug))}</th><td>${n.toLocaleString('en-GB')}</td></tr>`)
    .join('');
  let places = '';
  if (v.points && v.features.length) {
    const top = [...v.features].sort((a, b) => b.count - a.count).slice(0, 5);
    places = `<h3>Busiest locations</h3><ol class="cm-places">${top
      .map((f, i) => `<li><button type="button" data-place="${i}">${esc(f.location || 'Location')}</button> ${f.count.toLocaleString('en-GB')}</li>`)
      .join('')}</ol>`;
    page.topPlaces = top;
  }
  const hint = page.map.getZoom() < ctl.pointZoom
    ? `<p class="cm-hint">Select a circle to zoom in; individual locations show from zoom ${ctl.pointZoom}.</p>`
    : '<p class="cm-hint">Select a location for its crimes by category.</p>';
  el.innerHTML = `<p><strong id="cm-inview-total">${v.total.toLocaleString('en-GB')}</strong> ${v.total === 1 ? 'crime' : 'crimes'} on the map, ${esc(period)}</p>
    ${rows ? `<table class="cm-counts"><caption class="cm-visually-hidden">Crimes in view by category</caption><tbody>${rows}</tbody></table>` : ''}${places}${hint}`;
  el.querySelectorAll('button[data-place]').forEach((b) =>
    b.addEventListener('click', () => {
      const f = page.topPlaces[Number(b.dataset.place)];
      ctl.showPointDetails({ properties: f.properties, geometry: { coordinates: [f.lon, f.lat] } });
    }));
}

function updateUrl(page) {
  const view = page.ctl.view();
  const services = page.services?.query();
  const q = stateQuery(page.state, view) + (services ? `&${services}` : '');
  const withPc = page.state.postcode ? `postcode=${encodeURIComponent(page.state.postcode).replace(/%20/g, '+')}&${q}` : q;
  window.history.replaceState(null, '', `/?${withPc}`);
  $('cm-embed-link').href = `/embed/snippet/?${withPc}`;
}

main().catch((e) => {
  console.error(e);
  status(`The map could not start: ${e.message}`, { error: true });
});
