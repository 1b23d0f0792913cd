// The choropleth palette (web/app/palette.mjs) stays readable for colour-blind readers: its five
// classes must keep falling in lightness (CIE L*) with a clear step between neighbours, with
// normal colour vision and as simulated for protanopia, deuteranopia and tritanopia (Machado,
// Oliveira and Fernandes 2009, severity 1). No server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHOROPLETH_COLORS, NO_DATA_COLOR } from '../app/palette.mjs';
import { quintileColor } from '../app/services.mjs';

const VISION = {
  normal: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};
// Smallest lightness step between neighbouring classes, in L* units (about 1 is just noticeable).
const MIN_STEP = 8;

function linearRgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
}

function lightnessSeenWith(matrix, hex) {
  const rgb = linearRgb(hex);
  const [r, g, b] = matrix.map((row) => Math.min(1, Math.max(0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2])));
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

test('the five choropleth classes fall in lightness for every kind of colour vision', () => {
  assert.equal(CHOROPLETH_COLORS.length, 5);
  for (const [vision, m] of Object.entries(VISION)) {
    const l = CHOROPLETH_COLORS.map((c) => lightnessSeenWith(m, c));
    for (let i = 1; i < l.length; i++) {
      assert.ok(l[i - 1] - l[i] >= MIN_STEP,
        `${vision}: class ${i + 1} (${CHOROPLETH_COLORS[i]}, L* ${l[i].toFixed(1)}) is not clearly darker than class ${i} (L* ${l[i - 1].toFixed(1)})`);
    }
    console.log(`# ${vision}: L* ${l.map((x) => x.toFixed(1)).join(' > ')}`);
  }
  assert.ok(!CHOROPLETH_COLORS.includes(NO_DATA_COLOR));
});

test('local services: the worst fifth is the darkest, and for a neutral indicator the highest values are', () => {
  const L = (c) => lightnessSeenWith(VISION.normal, c);
  for (const polarity of ['higher_is_better', 'lower_is_better']) {
    const l = [1, 2, 3, 4, 5].map((q) => L(quintileColor(q, polarity)));
    assert.deepEqual([...l].sort((a, b) => b - a), l, `${polarity}: quintile 1 (best) lightest, 5 (worst) darkest`);
  }
  const n = [1, 2, 3, 4, 5].map((q) => L(quintileColor(q, 'neutral')));
  assert.deepEqual([...n].sort((a, b) => a - b), n, 'neutral: quintile 1 (highest values) darkest');
  assert.equal(quintileColor(undefined, 'higher_is_better'), NO_DATA_COLOR);
});
