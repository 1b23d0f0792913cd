// The widget at /embed: the map alone, for an <iframe>. Parameters (see state.mjs):
//   /embed?postcode=HR1 1AA  or  /embed?center=-2.716,52.056&zoom=14
//   plus layers=crimes,areas  kind=ward  from=2018-12  to=2019-02  category=burglary,robbery
import { api, normalisePostcode } from './api.mjs';
import { createCrimeMap, loadConfig, legendHtml, POSTCODE_ZOOM } from './crimemap.mjs';
import { readState, stateQuery } from './state.mjs';
import { crimeAreasText } from './choropleth-text.mjs';

const $ = (id) => document.getElementById(id);

async function main() {
  const catalog = await api.catalog();
  const config = await loadConfig();
  const state = readState(window.location.search, catalog);

  let postcode = null;
  if (state.postcode) {
    try {
      postcode = await api.postcode(state.postcode);
      if (!state.center) {
        state.center = [postcode.longitude, postcode.latitude];
        if (state.zoom === null) state.zoom = POSTCODE_ZOOM;
      }
    } catch (e) {
      $('cm-error').textContent = `${normalisePostcode(state.postcode)}: ${e.message}`;
    }
  }

  const ctl = await createCrimeMap($('cm-map'), { catalog, state, config });
  const map = ctl.map;
  if (postcode) ctl.showPostcode(postcode, { animate: false, zoom: map.getZoom() });
  ctl.onLegend((legend) => {
    $('cm-legend-box').hidden = !legend;
    $('cm-legend').innerHTML = legendHtml(legend);
    $('cm-legend-text').innerHTML = crimeAreasText(map, legend);
  });

  const larger = () => {
    const q = stateQuery(ctl.state, ctl.view());
    const pc = postcode ? `postcode=${encodeURIComponent(postcode.postcode).replace(/%20/g, '+')}&` : '';
    $('cm-larger').href = `/?${pc}${q}`;
  };
  map.on('moveend', larger);
  larger();
  window.crimemap = { catalog, state: ctl.state, ctl, map, postcode };
}

main().catch((e) => {
  $('cm-error').textContent = `The crime map could not load: ${e.message}`;
});
