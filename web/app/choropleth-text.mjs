// Text equivalents of the choropleths: every shaded area as a row of a table (area, value, class)
// in a <details> next to the legend, so that screen-reader and keyboard users, and anyone who
// cannot tell the colours apart, get the figures the map shows in colour. Kept out of the legend's
// live region: a screen reader would otherwise read the whole table at every change.
import { esc } from './util.mjs';
import { AREA_KIND_LABELS } from './state.mjs';

const num = (v, digits = 2) => Number(v).toLocaleString('en-GB', { maximumFractionDigits: digits });

// columns: [heading, ...]; rows: [{cells: [html, ...], header: html}] with the area as the row
// header. Cells are markup: callers escape text.
export function areaTableHtml({ id, summary, caption, columns, rows }) {
  if (!rows.length) return '';
  const head = columns.map((c, i) => `<th scope="col"${i ? ' class="cm-num"' : ''}>${esc(c)}</th>`).join('');
  const body = rows.map((r) => `<tr><th scope="row">${r.header}</th>${r.cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<details class="cm-area-table" id="${esc(id)}"><summary>${esc(summary)}</summary>
    <table class="cm-counts"><caption class="cm-visually-hidden">${esc(caption)}</caption>
    <thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></details>`;
}

// The class (0-based) a value falls in, for classes [{from, to}] as the map's 'step' expression
// draws them: a value at a break belongs to the class above it.
export function classIndex(value, classes) {
  let i = 0;
  while (i + 1 < classes.length && value >= classes[i + 1].from) i++;
  return i;
}

// The crime choropleth (areas layer) as a table: the areas the legend's classes were computed
// over (the tiles loaded for the view), highest value first.
export function crimeAreasText(map, legend) {
  if (!legend) return '';
  const byCode = new Map();
  for (const f of map.querySourceFeatures('areas', { sourceLayer: 'areas' })) byCode.set(f.properties.code, f.properties);
  const perK = legend.metric === 'per_1000';
  const rows = [...byCode.values()]
    .map((p) => ({ p, v: p[legend.metric] === undefined ? null : Number(p[legend.metric]) }))
    .sort((a, b) => (b.v ?? -Infinity) - (a.v ?? -Infinity) || String(a.p.name).localeCompare(String(b.p.name)))
    .map(({ p, v }) => ({
      header: `${esc(p.name || p.code)} <span class="cm-sub">${esc(p.code)}</span>`,
      cells: v === null
        ? ['no data', '–']
        : [perK ? num(v, 1) : num(v, 0), `${classIndex(v, legend.classes) + 1} of ${legend.classes.length}`],
    }));
  const kind = AREA_KIND_LABELS[legend.kind] || legend.kind;
  return areaTableHtml({
    id: 'cm-areas-table',
    summary: `The shaded areas as a table (${rows.length})`,
    caption: `${perK ? 'Crimes per 1,000 residents' : 'Crimes'} by ${kind}, class 1 = the lowest fifth`,
    columns: [kind, perK ? 'Per 1,000' : 'Crimes', 'Class'],
    rows,
  });
}
