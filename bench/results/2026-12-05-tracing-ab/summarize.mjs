// Summarises the tracing A/B (run.sh): per run, the bench figures tracing could move, then the median of each side
// and B's median ÷ A's. Usage: node summarize.mjs (from this directory) > summary.md
import { readFileSync, readdirSync, existsSync } from 'node:fs';
const here = new URL('.', import.meta.url).pathname;
const cpuPerCommandUs = (o, prefix) => 1e6 * o.processes.filter((p) => p.name.startsWith(prefix)).reduce((s, p) => s + p.cpuSeconds, 0) / Math.max(1, o.commands.answered);
const figures = {
  'closed-loop saturation, results/s': (r) => r.steady.saturationResultsPerSecond.median,
  'half-saturation step: result p50, ms': (r) => r.steady.halfSaturationStep?.commands.resultLatency.p50,
  'half-saturation step: result p99, ms': (r) => r.steady.halfSaturationStep?.commands.resultLatency.p99,
  'steady 50/s: accept p50, ms': (r) => r.steady.comparisonFigures.switchyard.acceptP50.median,
  'steady 50/s: result p50, ms': (r) => r.steady.comparisonFigures.switchyard.resultP50.median,
  'saturation: gateway CPU per command, µs': (r) => cpuPerCommandUs(r.steady.saturation[0], 'switchyard gateway'),
  'saturation: worker CPU per command, µs': (r) => cpuPerCommandUs(r.steady.saturation[0], 'switchyard worker'),
  'store floor (16 concurrent), updates/s': (r) => r.storeFloor?.figures?.conditionalUpdate16?.opsPerSecond.median,
};
const runs = readdirSync(here).filter((d) => /^[AB]\d+$/.test(d) && existsSync(`${here}${d}/report.json`)).sort((a, b) => a.slice(1) - b.slice(1) || a.localeCompare(b));
const reports = Object.fromEntries(runs.map((d) => [d, JSON.parse(readFileSync(`${here}${d}/report.json`, 'utf8'))]));
const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN; };
const f = (x) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)) : '—');
const lines = [`| figure | ${runs.join(' | ')} | A median | B median | B ÷ A |`, `|---|${runs.map(() => '---:').join('|')}|---:|---:|---:|`];
for (const [name, get] of Object.entries(figures)) {
  const values = runs.map((d) => { try { return get(reports[d]); } catch { return NaN; } });
  const a = median(values.filter((_, i) => runs[i].startsWith('A')));
  const b = median(values.filter((_, i) => runs[i].startsWith('B')));
  lines.push(`| ${name} | ${values.map(f).join(' | ')} | ${f(a)} | ${f(b)} | ${f(b / a)} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
