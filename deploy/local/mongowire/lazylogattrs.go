package main

import (
	"context"
	"log/slog"
)

// lazyAttrs is a slog.Handler that formats the attributes added with
// Logger.With only when a record is actually logged.
//
// Why: FerretDB's SQL layer (internal/util/fsql) calls
// `l.With(query arguments…).DebugContext(…)` around every statement, and
// slog's TextHandler formats the attributes at With time — the whole
// document, quoted — even when debug logging is off: ~15% of mongowire's CPU
// under a write load (pprof).
type lazyAttrs struct {
	inner slog.Handler
	attrs []slog.Attr
}

func (h lazyAttrs) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h lazyAttrs) Handle(ctx context.Context, r slog.Record) error {
	return h.materialized().Handle(ctx, r)
}

func (h lazyAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return lazyAttrs{inner: h.inner, attrs: append(h.attrs[:len(h.attrs):len(h.attrs)], attrs...)}
}

// WithGroup applies the pending attributes first: they belong outside the group.
func (h lazyAttrs) WithGroup(name string) slog.Handler {
	return lazyAttrs{inner: h.materialized().WithGroup(name)}
}

func (h lazyAttrs) materialized() slog.Handler {
	if len(h.attrs) == 0 {
		return h.inner
	}
	return h.inner.WithAttrs(h.attrs)
}
