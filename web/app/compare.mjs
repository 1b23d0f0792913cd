// "Compare your area": the one-call summary (/v1/postcodes/{pc}/summary?months=N) as a panel:
// the postcode's LSOA, ward, neighbourhood, district and force side by side, its rank, how it
// compares with the LSOAs most like it (with a link to the league table), the categories, the team's priorities and next meetings, and notes on the data.
// Team text (priorities, meeting titles and addresses) is plain text in /v1/ answers: it goes into
// the markup only through esc(), so `<img src=x onerror=…>` shows as text (web/tests/team-text.test.mjs).
import { esc } from './util.mjs';
import { periodLabel } from './state.mjs';

const n = (v) => (v === null || v === undefined ? '–' : Number(v).toLocaleString('en-GB'));

function change(now, before) {
  if (now === null || now === undefined || !before) return '–';
  const r = Math.round(((now - before) * 100) / before);
  return r === 0 ? '0%' : `${r > 0 ? '+' : '−'}${Math.abs(r)}%`;
}

const AREA_ROWS = [
  ['lsoa', 'Your LSOA'],
  ['ward', 'Ward'],
  ['neighbourhood', 'Neighbourhood'],
  ['district', 'District'],
  ['force', 'Force area'],
];

// args: {result (postcode), summary (or null), error, pack (meeting pack URL)}
export function renderCompare({ result, summary, error, pack }) {
  const nb = result.neighbourhood;
  const packLink = pack
    ? `<p><a id="cm-meeting-pack" class="cm-button-link" href="${esc(pack)}">Meeting pack: ${esc(nb.name || nb.id)}</a></p>`
    : '';
  if (!summary) {
    return `<p>The area summary is not available${error ? `: ${esc(error.message)}` : ''}.</p>${packLink}`;
  }
  const s = summary;
  const cur = s.period?.current, prev = s.period?.previous;
  const parts = [];
  if (cur) {
    parts.push(`<p class="cm-sub">${esc(s.postcode || result.postcode)}: ${esc(periodLabel(cur.from, cur.to))}` +
      (prev ? ` against ${esc(periodLabel(prev.from, prev.to))}` : '') + '</p>');
  }
  const areas = s.areas || {};
  const rows = AREA_ROWS.filter(([key]) => areas[key]).map(([key, label]) => {
    const a = areas[key];
    const rate = a.per_1000 !== null && a.per_1000 !== undefined ? `<br><span class="cm-sub">${n(a.per_1000)} per 1,000</span>` : '';
    return `<tr data-area="${key}"><th scope="row">${esc(label)}<br><span class="cm-sub">${esc(a.name || a.code)}</span></th>
      <td>${n(a.crimes)}${rate}</td><td>${n(a.previous_crimes)}</td><td>${change(a.crimes, a.previous_crimes)}</td></tr>`;
  });
  if (rows.length) {
    parts.push(`<table class="cm-counts cm-compare-areas"><caption class="cm-visually-hidden">Crimes in the areas around ${esc(result.postcode)}</caption>
      <thead><tr><th scope="col">Area</th><th scope="col">Crimes</th><th scope="col">Before</th><th scope="col">Change</th></tr></thead>
      <tbody>${rows.join('')}</tbody></table>`);
  }
  if (s.rank && s.rank.rank) {
    parts.push(`<p>Your LSOA ranks <strong>${n(s.rank.rank)}</strong> of ${n(s.rank.of)} ${esc(s.rank.among || 'comparable areas')} (${esc(s.rank.order || '1 = fewest crimes')}).</p>`);
  }
  // The LSOA against the LSOAs most like it (deprivation, density, area type): /v1/areas/{code}/similar.
  const cmp = s.compare;
  if (cmp && cmp.group && cmp.group.per_1000 !== null && cmp.area?.per_1000 !== null) {
    const verdict = { significantly_higher: 'significantly higher than', significantly_lower: 'significantly lower than' }[cmp.area.band] || 'not significantly different from';
    const decile = s.deprivation ? ` Deprivation: decile ${n(s.deprivation.imd_decile)} of 10 (1 = most deprived).` : '';
    parts.push(`<p class="cm-compare-similar">Your LSOA: <strong>${n(cmp.area.per_1000)}</strong> crimes per 1,000 residents;
      the ${n(cmp.similar.length)} most similar LSOAs elsewhere: <strong>${n(cmp.group.per_1000)}</strong> (range ${n(cmp.group.min_per_1000)}–${n(cmp.group.max_per_1000)}).
      Yours is ${esc(verdict)} theirs.${esc(decile)} <a href="${esc(cmp.league || '/league?kind=lsoa')}">League table</a></p>`);
  }
  const cats = (s.crimes?.by_category || []).filter((c) => c.current || c.previous);
  if (cats.length) {
    const area = s.crimes.area ? ` in ${esc(s.crimes.area.name || s.crimes.area.code)}` : '';
    parts.push(`<details class="cm-compare-categories"><summary>Categories${area}</summary>
      <table class="cm-counts"><thead><tr><th scope="col">Category</th><th scope="col">Now</th><th scope="col">Before</th></tr></thead>
      <tbody>${cats.map((c) => `<tr><th scope="row">${esc(c.name || c.category)}</th><td>${n(c.current)}</td><td>${n(c.previous)}</td></tr>`).join('')}</tbody></table></details>`);
  }
  const team = areas.neighbourhood;
  const priorities = s.priorities || [];
  const events = s.next_events || [];
  if (team || priorities.length || events.length) {
    parts.push(`<h3>${esc(team?.team?.name || team?.name || nb?.name || 'Your neighbourhood team')}${team?.team?.demo ? ' <span class="cm-sub">(demo team)</span>' : ''}</h3>`);
    if (priorities.length) {
      parts.push(`<p>Priorities:</p><ul>${priorities.slice(0, 3).map((p) => `<li>${esc(p.issue || p.title || '')}</li>`).join('')}</ul>`);
    }
    if (events.length) {
      parts.push(`<p>Next meetings:</p><ul>${events.slice(0, 2).map((e) =>
        `<li>${esc(e.title || 'Meeting')}, ${esc(fmtDate(e.start_date))}${e.address ? `, ${esc(e.address)}` : ''}</li>`).join('')}</ul>`);
    }
  }
  parts.push(packLink);
  const notes = s.data_quality?.notes || [];
  if (notes.length) {
    parts.push(`<details class="cm-notes"><summary>About these figures</summary><ul>${notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul></details>`);
  }
  return parts.join('');
}

function fmtDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}
