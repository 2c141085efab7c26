#!/usr/bin/env bash
# The tracing-off A/B of #21: does a build with tracing off (OTEL_* unset) run
# the bench like a build with no tracing code at all?
#   A = main (tracing present, off: OTEL_* unset)
#   B = main with the two tracing hooks and startTracing removed (branch
#       `notracing`, one commit: 6c462c0 on top of A's commit)
# Pairs A, B alternate so a drift of the machine hits both alike. Each run
# is the same reduced bench: the store floor, the closed-loop saturation and
# the steady comparison (switchyard, sync, Socket.IO, bare path at 50/s).
# Usage: run.sh <A checkout> <B checkout> <pairs>
set -euo pipefail
a="$1"; b="$2"; pairs="${3:-3}"
out="$(cd "$(dirname "$0")" && pwd)"
unset OTEL_TRACES_EXPORTER OTEL_EXPORTER_OTLP_ENDPOINT OTEL_EXPORTER_OTLP_TRACES_ENDPOINT OTEL_SDK_DISABLED
args=(--scenario floors,steady --reps 1 --ladder-fractions 0.5 --hot-entities 0 --machine-note "Quiet machine: nothing else ran during the A/B.")
for i in $(seq 1 "$pairs"); do
  for side in A B; do
    dir="$a"; [ "$side" = B ] && dir="$b"
    echo "== pair $i, $side ($(git -C "$dir" log --oneline -1 | cut -c1-60))"
    (cd "$dir" && flock /tmp/switchyard-bench.lock npm run bench -- "${args[@]}" --out "$out/$side$i" > "$out/$side$i.log" 2>&1)
  done
done
