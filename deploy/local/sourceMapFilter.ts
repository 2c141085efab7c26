/**
 * Drops the parts of a bundle's source map that point into some sources
 * (the packages under node_modules), keeping the rest exact.
 *
 * Why: a gateway or worker bundle (deploy/local/compiledSources.ts) holds
 * every package it imports. Its full map is ~17 MB; every process started
 * under coverage (NODE_V8_COVERAGE) parses it and copies it into its
 * coverage file, and c8 would report the packages' files as if they were
 * the project's. Only the project's own sources need mapping.
 *
 * Contract: each dropped segment is replaced by a one-field segment (a
 * generated column with no source), so the code it covered maps to nothing
 * rather than to the preceding kept segment. Kept segments keep their exact
 * original positions; `names` are dropped (positions are what coverage and
 * stack traces use).
 */

/** Source map v3, as esbuild writes it. */
export interface SourceMapV3 {
  version: 3;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  [other: string]: unknown;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) DIGIT[BASE64.charCodeAt(i)] = i;

function encodeVlq(value: number): string {
  let vlq = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = vlq & 31;
    vlq >>>= 5;
    if (vlq > 0) digit |= 32;
    out += BASE64[digit];
  } while (vlq > 0);
  return out;
}

/** The segment's fields, decoded from `text` (a run of VLQs), relative as written. */
function decodeSegment(text: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = DIGIT[text.charCodeAt(i)] ?? -1;
    if (digit < 0) throw new Error(`source map: bad base64 character '${text[i]}'`);
    value += (digit & 31) << shift;
    if (digit & 32) { shift += 5; continue; }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return fields;
}

/** A copy of `map` with only the sources for which `keep` is true, and only the mappings into them. */
export function keepSources(map: SourceMapV3, keep: (source: string) => boolean): SourceMapV3 {
  const newIndex = map.sources.map(() => -1);
  const sources: string[] = [];
  const sourcesContent: (string | null)[] = [];
  map.sources.forEach((source, i) => {
    if (!keep(source)) return;
    newIndex[i] = sources.length;
    sources.push(source);
    sourcesContent.push(map.sourcesContent?.[i] ?? null);
  });

  // Absolute values of the fields that run across lines, before and after filtering.
  let source = 0, line = 0, column = 0;
  let outSource = 0, outLine = 0, outColumn = 0;
  const lines = map.mappings.split(';').map((lineText) => {
    let generated = 0, outGenerated = 0;
    let lastMapped = false;
    const kept: string[] = [];
    for (const segmentText of lineText === '' ? [] : lineText.split(',')) {
      const f = decodeSegment(segmentText);
      generated += f[0]!;
      let mapped = -1;
      if (f.length >= 4) {
        source += f[1]!; line += f[2]!; column += f[3]!;
        mapped = newIndex[source]!;
      }
      // An unmapped marker only matters right after a mapped segment (it ends that mapping).
      if (mapped < 0 && !lastMapped) continue;
      let text = encodeVlq(generated - outGenerated);
      outGenerated = generated;
      if (mapped >= 0) {
        text += encodeVlq(mapped - outSource) + encodeVlq(line - outLine) + encodeVlq(column - outColumn);
        outSource = mapped; outLine = line; outColumn = column;
      }
      lastMapped = mapped >= 0;
      kept.push(text);
    }
    return kept.join(',');
  });
  const { names: _names, sourcesContent: _contents, ...rest } = map;
  return { ...rest, version: 3, sources, ...(map.sourcesContent ? { sourcesContent } : {}), names: [], mappings: lines.join(';') };
}
