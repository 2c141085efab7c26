/**
 * How a module declares the metrics it owns (the way each Centrifugo
 * package has its own metrics.go): the platform keeps the gateway and actor
 * runtime sections (platform/metrics.ts, platform/metricLabels.ts),
 * integrations/ its vendor-call section, and each feature its own
 * `actors/<feature>/metrics.ts`, registered in actors/registry.ts.
 *
 * Contract of a section:
 * - every metric is created with `registers: [registry]` (this registry, the
 *   one /metrics serves) and named `switchyard_<section>_…`;
 * - `labels` names every label its metrics use, with the bounded set its
 *   values come from (rendered into docs/metrics.md; the metrics catalog
 *   test refuses a label no section declares, or one that looks unbounded);
 * - `declareSeries` creates its labelled series at zero; the owner calls it
 *   once when a process that runs the section starts (why: metricLabels.ts).
 */
import type { Metric } from 'prom-client';

export interface MetricSection {
  /** Heading in docs/metrics.md, e.g. "gateway", "payments". */
  title: string;
  /** The module that owns and updates these metrics, e.g. "actors/payments". */
  owner: string;
  metrics: ReadonlyArray<Metric>;
  /** Label name → where its values come from. */
  labels: Readonly<Record<string, string>>;
  declareSeries?: () => void;
}
