/**
 * A small SVG line chart (no dependencies): several series over a shared x
 * axis, optional log-scale y axis, and vertical markers with labels (churn
 * events on the latency timeline).
 */

export interface ChartSeries {
  name: string;
  color: string;
  points: Array<{ x: number; y: number }>;
  dashed?: boolean;
}

export interface ChartMarker {
  x: number;
  label: string;
  color: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  markers?: ChartMarker[];
  /** Log-scale y (latencies spanning orders of magnitude). @default true */
  logY?: boolean;
  /** @default 960 */
  width?: number;
  /** @default 420 */
  height?: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export function lineChartSvg(o: LineChartOptions): string {
  const width = o.width ?? 960;
  const height = o.height ?? 420;
  const logY = o.logY ?? true;
  const m = { left: 70, right: 20, top: 40, bottom: 70 };
  const pts = o.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!logY || p.y > 0));
  const xs = [...pts.map((p) => p.x), ...(o.markers ?? []).map((mk) => mk.x)];
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs, xMin + 1) : 1;
  const ysRaw = pts.map((p) => p.y);
  const yMinRaw = ysRaw.length ? Math.min(...ysRaw) : 0.1;
  const yMaxRaw = ysRaw.length ? Math.max(...ysRaw) : 1;
  const ty = (v: number) => (logY ? Math.log10(v) : v);
  const yMin = logY ? Math.floor(ty(Math.max(yMinRaw, 0.001))) : 0;
  const yMax = logY ? Math.max(Math.ceil(ty(yMaxRaw)), yMin + 1) : yMaxRaw * 1.1 || 1;
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const sx = (x: number) => m.left + ((x - xMin) / (xMax - xMin || 1)) * pw;
  const sy = (y: number) => m.top + ph - ((ty(y) - yMin) / (yMax - yMin || 1)) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`);
  const yTicks = logY ? Array.from({ length: yMax - yMin + 1 }, (_, i) => 10 ** (yMin + i)) : niceTicks(0, yMax, 6);
  for (const v of yTicks) {
    const y = sy(v);
    out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${y + 4}" text-anchor="end">${v >= 1 ? v.toLocaleString('en') : v}</text>`);
  }
  for (const v of niceTicks(xMin, xMax, 10)) {
    const x = sx(v);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle">${v}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${height - 38}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}${logY ? ' (log scale)' : ''}</text>`);
  (o.markers ?? []).forEach((mk, i) => {
    const x = sx(mk.x);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + ph}" stroke="${mk.color}" stroke-dasharray="3 3"/>`);
    out.push(`<text x="${x + 2}" y="${m.top + 10 + (i % 4) * 11}" fill="${mk.color}" font-size="9">${esc(mk.label)}</text>`);
  });
  for (const s of o.series) {
    const path = s.points.filter((p) => Number.isFinite(p.y) && (!logY || p.y > 0)).map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join('');
    if (path) out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="6 3"' : ''}/>`);
  }
  o.series.forEach((s, i) => {
    const x = m.left + (i % 4) * 220;
    const y = height - 18 + Math.floor(i / 4) * 0 - (Math.floor(i / 4) ? -0 : 0);
    out.push(`<line x1="${x}" x2="${x + 24}" y1="${y - 4 - Math.floor(i / 4) * 12}" y2="${y - 4 - Math.floor(i / 4) * 12}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ''}/>`);
    out.push(`<text x="${x + 30}" y="${y - Math.floor(i / 4) * 12}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
