/**
 * What the query checker needs to know about PromQL text without a full
 * parser (Prometheus itself parses every query; this only finds the metric
 * selectors inside one so each can be asked for its own series), and the
 * substitution of Grafana's template variables with concrete values.
 */

/** One vector selector in a query: `name{matchers}` as written, and the metric name it selects. */
export interface Selector {
  text: string;
  metric: string;
}

/** Words of PromQL that look like identifiers but are not metric names. */
const KEYWORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan', 'atan2',
  // Aggregation operators, which may be followed by `by (...)` rather than `(`.
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);
/** Keywords followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

function skipString(expr: string, i: number): number {
  const quote = expr[i];
  let j = i + 1;
  while (j < expr.length && expr[j] !== quote) j += expr[j] === '\\' && quote !== '`' ? 2 : 1;
  return j + 1;
}

/** Index just past the bracket closing the one at `i` (strings inside respected). */
function skipBracketed(expr: string, i: number, open: string, close: string): number {
  let depth = 0;
  let j = i;
  while (j < expr.length) {
    const c = expr[j]!;
    if (c === '"' || c === "'" || c === '`') { j = skipString(expr, j); continue; }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
    j++;
  }
  return j;
}

function nextNonSpace(expr: string, i: number): number {
  while (i < expr.length && /\s/.test(expr[i]!)) i++;
  return i;
}

/** Every vector selector in `expr`, in order of appearance. */
export function metricSelectors(expr: string): Selector[] {
  const found: Selector[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') { i = skipString(expr, i); continue; }
    if (c === '[') { i = skipBracketed(expr, i, '[', ']'); continue; }
    if (c === '#') { while (i < expr.length && expr[i] !== '\n') i++; continue; }
    if (c === '{') {
      const end = skipBracketed(expr, i, '{', '}');
      const text = expr.slice(i, end);
      const name = /__name__\s*=\s*"([^"]+)"/.exec(text)?.[1];
      if (name) found.push({ text, metric: name });
      i = end;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      while (i < expr.length && /[0-9a-zA-Z_.]/.test(expr[i]!)) i++;
      continue;
    }
    if (/[a-zA-Z_:]/.test(c)) {
      let j = i;
      while (j < expr.length && /[a-zA-Z0-9_:]/.test(expr[j]!)) j++;
      const word = expr.slice(i, j);
      const after = nextNonSpace(expr, j);
      if (LABEL_LIST_KEYWORDS.has(word) && expr[after] === '(') { i = skipBracketed(expr, after, '(', ')'); continue; }
      if (KEYWORDS.has(word.toLowerCase()) || expr[after] === '(') { i = j; continue; }
      if (expr[after] === '{') {
        const end = skipBracketed(expr, after, '{', '}');
        found.push({ text: word + expr.slice(after, end), metric: word });
        i = end;
      } else {
        found.push({ text: word, metric: word });
        i = j;
      }
      continue;
    }
    i++;
  }
  return found;
}

/**
 * Replaces Grafana template variables (`$name`, `${name}`, `${name:fmt}`,
 * `[[name]]`) with the given values. Returns the text and the names it
 * could not replace (a query with those cannot be evaluated).
 */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): { text: string; unknown: string[] } {
  const unknown = new Set<string>();
  const replace = (whole: string, name: string): string => {
    if (Object.hasOwn(values, name)) return values[name]!;
    unknown.add(name);
    return whole;
  };
  const text = expr
    .replace(/\$\{([A-Za-z0-9_]+)(?::[A-Za-z]+)?\}/g, (whole, name: string) => replace(whole, name))
    .replace(/\[\[([A-Za-z0-9_]+)\]\]/g, (whole, name: string) => replace(whole, name))
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => replace(whole, name));
  return { text, unknown: [...unknown] };
}

/**
 * Grafana's built-in interval variables, as concrete values for evaluating
 * against a Prometheus scraping every second (a test stack). In Grafana
 * `$__rate_interval` is max(4 × scrape interval, step + scrape interval).
 */
export const GRAFANA_BUILTINS: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '5m',
  __range_s: '300',
  __range_ms: '300000',
};
