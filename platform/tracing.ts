/**
 * OpenTelemetry traces, configured by the standard `OTEL_*` variables and
 * OFF unless they ask for it:
 *
 * - on when `OTEL_TRACES_EXPORTER` lists `otlp`, or when it is unset and
 *   `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set;
 * - off when `OTEL_SDK_DISABLED=true`, `OTEL_TRACES_EXPORTER=none`, or none of the above.
 *
 * Export is OTLP/HTTP (JSON) in batches; the exporter and the batch processor
 * read their own variables (endpoint, headers, `OTEL_BSP_*`), the sampler
 * `OTEL_TRACES_SAMPLER` (default: follow the parent, sample roots), the
 * resource `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`.
 *
 * While off, nothing here runs on the hot path: `activeTracer()` is
 * undefined, and the hooks (gateway/commandTracing.ts,
 * actors/runtime/commandTracing.ts) install no wrapper at all, so no span
 * object is ever created. Spans link across processes by the W3C
 * `traceparent` that commands and pushes already carry (protocol/headers.ts).
 * While off, the SDK (exporter, provider, resources) is not even loaded: it
 * is imported by `startTracing` only when tracing is on, which keeps a
 * process's start cheap.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

/** Why tracing is on (the exporter's target) or undefined when the `OTEL_*` variables leave it off. */
export function tracingRequest(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const exporters = env.OTEL_TRACES_EXPORTER?.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (exporters?.length) return exporters.includes('otlp') ? endpoint ?? 'http://localhost:4318 (the OTLP default)' : undefined;
  return endpoint || undefined;
}

/**
 * Trace ids for root spans: random, or — for the one span started by
 * `startSpan` with a `traceId` — that id, so a trace started here keeps the
 * trace id already written in log lines.
 */
interface PresetTraceIds {
  preset: string | undefined;
}

let provider: BasicTracerProvider | undefined;
let tracer: Tracer | undefined;
let ids: PresetTraceIds | undefined;

/** The process's tracer while tracing is on; undefined while it is off (the default). */
export function activeTracer(): Tracer | undefined {
  return tracer;
}

/**
 * Starts tracing when the `OTEL_*` variables ask for it (see the header);
 * returns the exporter's target then, else undefined and does nothing.
 * `serviceName` is used unless OTEL_SERVICE_NAME is set.
 */
export async function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const target = tracingRequest(env);
  if (target === undefined || provider) return provider ? target : undefined;
  const [{ AsyncLocalStorageContextManager }, { OTLPTraceExporter }, { detectResources, envDetector, resourceFromAttributes }, sdk] = await Promise.all([
    import('@opentelemetry/context-async-hooks'), import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'), import('@opentelemetry/sdk-trace-base'),
  ]);
  const random = new sdk.RandomIdGenerator();
  const generator = {
    preset: undefined as string | undefined,
    generateTraceId(): string { return this.preset ?? random.generateTraceId(); },
    generateSpanId(): string { return random.generateSpanId(); },
  };
  ids = generator;
  const detected = detectResources({ detectors: [envDetector] });
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || serviceName }).merge(detected);
  provider = new sdk.BasicTracerProvider({ resource, idGenerator: generator, spanProcessors: [new sdk.BatchSpanProcessor(new OTLPTraceExporter())] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  tracer = provider.getTracer('switchyard');
  return target;
}

/** Exports the spans still buffered and stops tracing (call on shutdown). */
export async function stopTracing(): Promise<void> {
  const p = provider;
  provider = undefined;
  tracer = undefined;
  await p?.shutdown();
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A context whose (remote) parent is `traceparent`; the root context when there is none or it is malformed. */
function contextOf(traceparent: string | undefined): ReturnType<typeof trace.setSpanContext> {
  const m = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (!m || m[2] === '0'.repeat(32) || m[3] === '0'.repeat(16)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) & 1, isRemote: true });
}

/** The W3C `traceparent` naming `span` as the parent of what follows. */
export function traceparentOf(span: Span): string {
  const c = span.spanContext();
  return `00-${c.traceId}-${c.spanId}-${(c.traceFlags & 1) === 1 ? '01' : '00'}`;
}

export interface SpanStart {
  /** Parent: a `traceparent` (another process's span) or a span of this process. */
  parent: string | Span | undefined;
  /** For a root span (no parent): the trace id to use, e.g. the one already in the logs. */
  traceId?: string | undefined;
  /** Epoch ms. @default now */
  startTime?: number | undefined;
  attributes?: Record<string, string | number | boolean> | undefined;
  /** @default 'internal' */
  kind?: 'internal' | 'producer' | 'consumer' | undefined;
}

const KINDS = { internal: SpanKind.INTERNAL, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER } as const;

/** Starts a span (tracing must be on: call only where `activeTracer()` was defined). */
export function startSpan(t: Tracer, name: string, start: SpanStart): Span {
  const parent = typeof start.parent === 'object' ? trace.setSpan(ROOT_CONTEXT, start.parent) : contextOf(start.parent);
  const root = trace.getSpanContext(parent) === undefined;
  if (root && start.traceId && ids) ids.preset = start.traceId;
  try {
    return t.startSpan(name, { kind: KINDS[start.kind ?? 'internal'], startTime: start.startTime, attributes: start.attributes }, parent);
  } finally {
    if (ids) ids.preset = undefined;
  }
}

/** Ends `span` with an error status when `err` is given. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.recordException(err instanceof Error ? err : new Error(String(err)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
  span.end();
}

/**
 * Replaces `target[method]` (an async method of that one instance) by a
 * version that runs inside a child span of the active span. Does nothing
 * when tracing is off or there is no active span at call time.
 */
export function traceMethod<T extends object, K extends keyof T>(target: T, method: K, name: string): void {
  const t = tracer;
  if (!t) return;
  const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  const traced = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    if (trace.getSpan(context.active()) === undefined) return original.apply(this, args);
    return t.startActiveSpan(name, (span) => original.apply(this, args).then(
      (value) => { span.end(); return value; },
      (err: unknown) => { endSpan(span, err); throw err; },
    ));
  };
  (target as Record<K, unknown>)[method] = traced;
}

/** Runs `fn` with `span` as the active span (children started inside, also after awaits, find it). */
export function withSpan<R>(span: Span, fn: () => R): R {
  return context.with(trace.setSpan(ROOT_CONTEXT, span), fn);
}
