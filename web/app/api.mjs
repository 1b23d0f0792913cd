// Thin client for crimemapd's JSON endpoints. Every call returns parsed JSON or throws an
// ApiError carrying the server's {status, error} message (postcodes.io style).

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function getJson(path, { signal } = {}) {
  let res;
  try {
    res = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'The server could not be reached');
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: keep the HTTP status as the message
  }
  if (!res.ok) {
    const message = (body && (body.error || body.message)) || `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, String(message));
  }
  return body;
}

// Canonical spacing for display ("hr11aa" -> "HR1 1AA"); the server accepts any case and spacing.
export function normalisePostcode(text) {
  const compact = String(text || '').toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (compact.length < 5 || compact.length > 7) return compact;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

export function looksLikePostcode(text) {
  return /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/.test(normalisePostcode(text));
}

export const api = {
  catalog: (opts) => getJson('/catalog', opts),

  // postcodes.io-compatible lookup: {status, result: {longitude, latitude, lsoa, neighbourhood, ...}}.
  async postcode(pc, opts) {
    const body = await getJson(`/postcodes/${encodeURIComponent(normalisePostcode(pc))}`, opts);
    return body.result;
  },

  async summary(pc, months, opts) {
    const q = new URLSearchParams({ months: String(months) });
    const body = await getJson(`/v1/postcodes/${encodeURIComponent(normalisePostcode(pc))}/summary?${q}`, opts);
    return body.result ?? body;
  },

  // An indicator's league of councils: {rows: [{code, name, value, rank, quintile}], comparison, ...}.
  async indicatorLeague(indicator, period, opts) {
    const q = new URLSearchParams({ kind: 'lad', indicator, period });
    const body = await getJson(`/v1/league?${q}`, opts);
    return body.result ?? body;
  },

  // One council's indicator over time: {code, name, indicators: [{series: [{period, value, rank, of,
  // quintile, national_median}]}]}.
  async performance(code, indicator, opts) {
    const q = new URLSearchParams({ indicator });
    const body = await getJson(`/v1/areas/${encodeURIComponent(code)}/performance?${q}`, opts);
    return body.result ?? body;
  },
};

// The printable league page of an indicator (/league, served by crimemapd).
export function indicatorLeagueUrl(indicator, period) {
  return `/league?${new URLSearchParams({ kind: 'lad', indicator, period })}`;
}

export function meetingPackUrl(force, id, month) {
  const q = month ? `?month=${encodeURIComponent(month)}` : '';
  return `/v1/neighbourhoods/${encodeURIComponent(force)}/${encodeURIComponent(id)}/meeting-pack${q}`;
}
