'use strict';
// A small line chart as SVG text, so the benchmarks draw their own plots without a dependency.
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function esc(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceMax(value) {
  if (!(value > 0)) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * exp >= value) return m * exp;
  return 10 * exp;
}

function fmt(v) {
  if (Math.abs(v) >= 1000) return `${Math.round(v / 100) / 10}k`;
  return String(Math.round(v * 100) / 100);
}

/**
 * series: [{name, points: [[x, y], ...]}]; xMax/yMax optional; logX for file sizes.
 */
function lineChart({ title, xLabel, yLabel, series, width = 720, height = 380, yMax, xTicks, markers = false }) {
  const m = { left: 70, right: 180, top: 40, bottom: 50 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const allX = series.flatMap((s) => s.points.map((p) => p[0]));
  const allY = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMin = Math.min(...allX, 0);
  const xMax = Math.max(...allX, 1);
  const top = yMax ?? niceMax(Math.max(...allY, 0));
  const sx = (x) => m.left + ((x - xMin) / (xMax - xMin || 1)) * w;
  const sy = (y) => m.top + h - (y / top) * h;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${m.left + w / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const y = (top * i) / 5;
    out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  const ticks = xTicks ?? Array.from({ length: 6 }, (_, i) => xMin + ((xMax - xMin) * i) / 5);
  for (const t of ticks) {
    const label = typeof t === 'object' ? t.label : fmt(t);
    const x = typeof t === 'object' ? t.value : t;
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${m.top + h}" y2="${m.top + h + 4}" stroke="#333"/>`);
    out.push(`<text x="${sx(x)}" y="${m.top + h + 18}" text-anchor="middle">${esc(label)}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + h}" stroke="#333"/>`);
  out.push(`<text x="${m.left + w / 2}" y="${height - 10}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const colour = s.colour || COLOURS[i % COLOURS.length];
    const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (markers) for (const p of s.points) out.push(`<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="3.5" fill="${colour}"/>`);
    const ly = m.top + 10 + i * 20;
    out.push(`<line x1="${m.left + w + 12}" x2="${m.left + w + 36}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${m.left + w + 42}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

module.exports = { lineChart };
