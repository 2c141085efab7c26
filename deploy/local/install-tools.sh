#!/usr/bin/env bash
# Installs the server binaries switchyard's local stack and tests need, into a
# cache outside the clone (default ~/.cache/switchyard/bin, override with
# SY_TOOLS_DIR). Idempotent: a binary already present at its pinned version is
# kept. Versions live in deploy/local/versions.env.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
tools="${SY_TOOLS_DIR:-$HOME/.cache/switchyard/bin}"
mkdir -p "$tools"

log() { printf 'tools: %s\n' "$*" >&2; }

need_go() {
  command -v go >/dev/null 2>&1 || { log "Go is required to build $1 (https://go.dev/dl/); none on PATH"; exit 1; }
}

# A binary built from sources this checkout patches is named by a hash of
# those sources (<name>-<stamp>; servers.ts computes the same hash), so
# checkouts with different sources never replace each other's binary while
# their tests run. stamp_of <salt> <dir> <files...>
stamp_of() {
  local salt="$1" dir="$2"
  shift 2
  { [ -z "$salt" ] || printf '%s\n' "$salt"; (cd "$dir" && for f in "$@"; do printf '%s\n' "$f"; cat "$f"; done); } | sha256sum | cut -c1-16
}

# nats-server: built from source through the Go module proxy, from a copy
# whose raft timers can be set from the environment
# (nats-server/raft-timers-patch.sh says why).
nats_stamp="$(stamp_of "NATS_SERVER_VERSION=$NATS_SERVER_VERSION" "$here/nats-server" raft-timers-patch.sh)"
if [ ! -x "$tools/nats-server-$nats_stamp" ]; then
  need_go nats-server
  log "building nats-server $NATS_SERVER_VERSION (raft timers from the environment; first run only, ~1 min)"
  module_dir="$(cd "$tools" && go mod download -json "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$module_dir" ] || { log "could not download nats-server $NATS_SERVER_VERSION"; exit 1; }
  src="$(bash "$here/nats-server/raft-timers-patch.sh" "$module_dir" "$tools/nats-server-$nats_stamp.src")"
  (cd "$src" && go build -trimpath -o "$tools/nats-server-$nats_stamp.tmp" .)
  rm -rf "$tools/nats-server-$nats_stamp.src"
  mv "$tools/nats-server-$nats_stamp.tmp" "$tools/nats-server-$nats_stamp"
fi

# stripe-mock: Stripe's own mock of its API (the stand-in for Stripe in tests),
# built from source. A plain `go install` reports "stripe-mock master" for
# -version; -ldflags stamps the pinned version in so the check below works.
if [ -x "$tools/stripe-mock" ] && [ "$("$tools/stripe-mock" -version 2>/dev/null)" = "stripe-mock $STRIPE_MOCK_VERSION" ]; then
  :
else
  need_go stripe-mock
  log "building stripe-mock $STRIPE_MOCK_VERSION (first run only, ~30 s)"
  GOBIN="$tools" go install -ldflags "-X main.version=$STRIPE_MOCK_VERSION" "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
fi

# mongowire: FerretDB embedded in deploy/local/mongowire (see main.go), built
# against a copy of FerretDB with a few changes, made by
# mongowire/ferretdb-patch.sh (why: see that script).
stamp="$(stamp_of "" "$here/mongowire" $(cd "$here/mongowire" && ls -1 | grep -E '\.(go|sh)$' | LC_ALL=C sort) go.mod go.sum)"
if [ ! -x "$tools/mongowire-$stamp" ]; then
  need_go mongowire
  log "building mongowire (FerretDB $FERRETDB_VERSION, SQLite backend; first run only, ~2 min)"
  (
    cd "$here/mongowire"
    go mod download
    modfile="$(bash ./ferretdb-patch.sh "$tools/mongowire-$stamp.src")"
    go build -trimpath -modfile "$modfile" -o "$tools/mongowire-$stamp.tmp" .
    rm -rf "$tools/mongowire-$stamp.src"
    mv "$tools/mongowire-$stamp.tmp" "$tools/mongowire-$stamp"
  )
fi

# Debian packages: collected first, installed in one apt run (root only).
#   redis-server        required by the stack and the tests
#   prometheus/promtool the observability check scrapes a real stack with it
#   haproxy (>= 2.6)    the local cluster's load balancer (npm run cluster, npm run bench)
#   chromium            the demo's browser test
# Package init scripts would start system-wide services (Prometheus on :9090,
# HAProxy); a temporary policy-rc.d keeps them from starting. Another apt run may
# hold the lock: wait for it instead of failing.
missing_required=()
missing_optional=()
command -v redis-server >/dev/null 2>&1 || missing_required+=(redis-server)
{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || missing_optional+=(prometheus)
{ command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; } || missing_optional+=(haproxy)
command -v chromium >/dev/null 2>&1 || missing_optional+=(chromium)
wanted=("${missing_required[@]}" "${missing_optional[@]}")
if [ ${#wanted[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing from Debian: ${wanted[*]} (first run only)"
    policy=/usr/sbin/policy-rc.d
    made_policy=""
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1; fi
    apt-get -o DPkg::Lock::Timeout=300 update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null \
      || log "apt-get install failed for: ${wanted[*]}"
    [ -n "$made_policy" ] && rm -f "$policy"
  fi
  for pkg in "${missing_required[@]}"; do
    command -v "$pkg" >/dev/null 2>&1 || { log "$pkg is required: install it (Debian: apt-get install $pkg) or put it on PATH"; exit 1; }
  done
  for pkg in "${missing_optional[@]}"; do
    command -v "$pkg" >/dev/null 2>&1 || [ -x "/usr/sbin/$pkg" ] || log "$pkg is not installed and cannot be installed here (needs root + apt-get); the tests that need it are SKIPPED with a reason"
  done
fi

# kustomize: built from source through the Go module proxy (the manifest check
# in test/deploy runs `kustomize build` on every overlay).
if [ -x "$tools/kustomize" ] && "$tools/kustomize" version 2>/dev/null | grep -q "$KUSTOMIZE_VERSION"; then
  :
else
  need_go kustomize
  log "building kustomize $KUSTOMIZE_VERSION (first run only, ~1 min)"
  GOBIN="$tools" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi
