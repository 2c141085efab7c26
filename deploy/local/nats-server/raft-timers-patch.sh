#!/usr/bin/env bash
# Prepares a copy of nats-server's sources whose raft timers can be set from
# the environment, and prints the directory to build in (`go build .`).
# Usage: raft-timers-patch.sh <nats-server module dir> <work dir>
# The copy lives in <work dir> (the tools cache), never in the clone. The
# change checks that it applied, so a nats-server upgrade fails loudly here.
#
# Why: a JetStream cluster member waits a random 4-9 s without a leader's
# heartbeat before it starts an election (server/raft.go: hbInterval 1 s,
# minElectionTimeout 4 s, maxElectionTimeout 9 s, package variables with no
# option to set them). After a stream or consumer leader is SIGKILLed, no
# command is stored or delivered for that long. The added file reads three
# Go durations at start-up; unset, every timer keeps nats-server's default:
#   NATS_RAFT_HEARTBEAT              hbInterval (default 1s)
#   NATS_RAFT_ELECTION_TIMEOUT_MIN   minElectionTimeout (default 4s)
#   NATS_RAFT_ELECTION_TIMEOUT_MAX   maxElectionTimeout (default 9s)
# The timers stay ordered as raft needs them: several heartbeats fit in the
# shortest election timeout, and the range is not empty (a random pick in it
# keeps two members from campaigning together); other values exit at start.
set -euo pipefail
module_dir="$1"
work="$2"
rm -rf "$work" && mkdir -p "$work"
cp -r "$module_dir" "$work/nats-server" && chmod -R u+w "$work/nats-server"
fail() { echo "raft-timers-patch: $* (nats-server version changed?)" >&2; exit 1; }

raft="$work/nats-server/server/raft.go"
for v in 'hbInterval           = hbIntervalDefault' 'minElectionTimeout   = minElectionTimeoutDefault' 'maxElectionTimeout   = maxElectionTimeoutDefault'; do
  grep -qF "	$v" "$raft" || fail "\"$v\" not found in $raft"
done

cat > "$work/nats-server/server/raft_timers_env.go" <<'GO'
package server

import (
	"fmt"
	"os"
	"time"
)

// Added by switchyard (deploy/local/nats-server/raft-timers-patch.sh): the
// raft heartbeat and election timeouts from the environment, read once at
// start-up, before any raft group exists.
func init() {
	hb := raftTimerFromEnv("NATS_RAFT_HEARTBEAT", hbInterval)
	lo := raftTimerFromEnv("NATS_RAFT_ELECTION_TIMEOUT_MIN", minElectionTimeout)
	hi := raftTimerFromEnv("NATS_RAFT_ELECTION_TIMEOUT_MAX", maxElectionTimeout)
	if lo < 3*hb || hi <= lo {
		raftTimerExit(fmt.Sprintf("need 3 x NATS_RAFT_HEARTBEAT <= NATS_RAFT_ELECTION_TIMEOUT_MIN < NATS_RAFT_ELECTION_TIMEOUT_MAX, got %v, %v, %v", hb, lo, hi))
	}
	hbInterval, minElectionTimeout, maxElectionTimeout = hb, lo, hi
}

func raftTimerFromEnv(name string, def time.Duration) time.Duration {
	text, ok := os.LookupEnv(name)
	if !ok || text == "" {
		return def
	}
	d, err := time.ParseDuration(text)
	if err != nil || d <= 0 {
		raftTimerExit(fmt.Sprintf("%s=%q is not a positive Go duration (e.g. 250ms)", name, text))
	}
	return d
}

func raftTimerExit(msg string) {
	fmt.Fprintln(os.Stderr, "nats-server: "+msg)
	os.Exit(2)
}
GO
echo "$work/nats-server"
