// Team text is text in the page: the compare panel (web/app/compare.mjs) puts priorities, meeting
// titles and addresses into its markup only escaped, so an HTML payload written by a team shows as
// text. Runs in node without a server (the panel is a pure function of the summary JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderCompare } from '../app/compare.mjs';
import { esc } from '../app/util.mjs';

const payload = '<img src=x onerror=alert(1)> & "Tea" at Mary\'s';

test('team text in the compare panel is escaped, never markup', () => {
  const summary = {
    postcode: 'HR1 1AA',
    areas: { neighbourhood: { code: 'west-mercia/HE06', name: payload, team: { name: payload } } },
    priorities: [{ issue: payload, action: payload }],
    next_events: [{ title: payload, address: payload, start_date: '2019-03-01T09:00:00' }],
  };
  const html = renderCompare({ result: { postcode: 'HR1 1AA', neighbourhood: { id: 'HE06', name: payload } }, summary, pack: '/p' });
  assert.ok(!html.includes('<img'), html);
  assert.ok(!html.includes(payload), 'the raw payload never reaches the markup');
  // Independent check of the escaping: every character that matters is an entity.
  const expected = payload.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  assert.equal(esc(payload), expected);
  assert.ok(html.includes(`<li>${expected}</li>`), 'the priority, as text');
  assert.ok(html.includes(`<li>${expected}, `), 'the meeting title, as text');
});
