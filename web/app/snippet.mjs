// /embed/snippet: the <iframe> code for the view passed in the query string, with a preview.
import { esc } from './util.mjs';

const $ = (id) => document.getElementById(id);
const ALLOWED = ['postcode', 'center', 'zoom', 'layers', 'kind', 'from', 'to', 'category', 'basemap'];

export function embedUrl(search, origin) {
  const given = new URLSearchParams(search);
  const q = new URLSearchParams();
  for (const k of ALLOWED) if (given.has(k)) q.set(k, given.get(k));
  const text = q.toString().replace(/%2C/g, ',');
  return `${origin}/embed${text ? `?${text}` : ''}`;
}

export function iframeCode(src, width, height) {
  return `<iframe src="${esc(src)}" width="${esc(width)}" height="${esc(height)}" style="border:0" ` +
    `title="Crime map" loading="lazy" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>`;
}

function size() {
  const w = $('cm-width').value.trim();
  const width = /^\d{2,4}(%|px)?$/.test(w) ? w.replace(/px$/, '') : '100%';
  const h = Number($('cm-height').value);
  const height = Number.isFinite(h) && h >= 200 && h <= 2000 ? String(Math.round(h)) : '450';
  return { width, height };
}

function render() {
  const src = embedUrl(window.location.search, window.location.origin);
  const { width, height } = size();
  $('cm-code').value = iframeCode(src, width, height);
  const preview = $('cm-preview');
  let frame = preview.querySelector('iframe');
  if (!frame) {
    frame = document.createElement('iframe');
    frame.title = 'Crime map preview';
    frame.style.border = '0';
    preview.appendChild(frame);
  }
  if (frame.getAttribute('src') !== src) frame.src = src;
  frame.width = width;
  frame.height = height;
}

async function copy() {
  const code = $('cm-code');
  try {
    await navigator.clipboard.writeText(code.value);
  } catch {
    code.select();
    document.execCommand('copy');
  }
  $('cm-copied').textContent = 'Copied.';
  setTimeout(() => ($('cm-copied').textContent = ''), 3000);
}

$('cm-snippet-form').addEventListener('input', render);
$('cm-snippet-form').addEventListener('submit', (e) => e.preventDefault());
$('cm-copy').addEventListener('click', copy);
$('cm-back').href = `/${window.location.search}`;
render();
