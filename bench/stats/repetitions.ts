/**
 * A figure measured several times in one run: every value, and min / median
 * / max, so that a reader can tell noise from change. NaN values (a run that
 * produced no sample) are kept in `values` and left out of the spread.
 */

export interface Spread {
  min: number;
  median: number;
  max: number;
  /** Every repetition's value, in run order. */
  values: number[];
}

export function spread(values: number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, values };
  const mid = Math.floor(finite.length / 2);
  const median = finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return { min: finite[0]!, median, max: finite[finite.length - 1]!, values };
}

/** `spread` of one figure read from each repetition. */
export function spreadOf<T>(runs: T[], figure: (run: T) => number): Spread {
  return spread(runs.map(figure));
}

/** Runs `once` `count` times in sequence (never in parallel: the machine is the instrument). */
export async function repeat<T>(count: number, once: (rep: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let rep = 0; rep < count; rep++) out.push(await once(rep));
  return out;
}

/** The same spread in another unit (e.g. bytes → KB). */
export function scaleSpread(s: Spread, factor: number): Spread {
  return { min: s.min * factor, median: s.median * factor, max: s.max * factor, values: s.values.map((v) => v * factor) };
}
