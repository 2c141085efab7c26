#!/usr/bin/env bash
# Prepares a build of mongowire against a copy of FerretDB with four changes,
# and prints the go.mod to build with (`go build -modfile <it>`). Usage,
# inside deploy/local/mongowire:
#   ferretdb-patch.sh <work dir>
# The copy lives in <work dir> (the tools cache), never in the clone. Each
# change checks that it applied, so a FerretDB upgrade fails loudly here.
set -euo pipefail
work="$1"
rm -rf "$work" && mkdir -p "$work"
module_dir="$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)"
cp -r "$module_dir" "$work/ferretdb" && chmod -R u+w "$work/ferretdb"
fail() { echo "ferretdb-patch: $* (FerretDB version changed?)" >&2; exit 1; }

# 1. Push the _id equality down whenever the filter has one.
# FerretDB v1.24's SQLite backend looks a document up by _id only when the
# filter is exactly {_id: <id>}; any other filter reads and decodes EVERY
# document of the collection. switchyard's commit is
# updateOne({_id, version, fence: {$lte}}): one full scan per command. The
# change pushes the _id equality down whenever the filter has a
# string/ObjectID _id; FerretDB's handlers filter every document the backend
# returns against the whole filter again (update, findAndModify, delete, find,
# count, distinct, aggregate), so results are unchanged.
file="$work/ferretdb/internal/backends/sqlite/collection.go"
sed -i 's/if params\.Filter\.Len() == 1 {/if params.Filter.Has("_id") {/' "$file"
changed="$(grep -c 'if params.Filter.Has("_id") {' "$file" || true)"
[ "$changed" = 2 ] || fail "expected 2 changed lines in $file, got $changed"

# 2. Look _id up through the unique _id index.
# The lookups above compare `_ferretdb_sjson->'$._id'`, but the unique _id
# index FerretDB creates is on `_ferretdb_sjson->"_id"`. SQLite uses an
# expression index only for the same expression, so every lookup by _id
# scanned and JSON-parsed every row of the table (measured: 5-7 ms of CPU per
# findOne or update with 500 entity documents; 1.2-3 ms after). `->'_id'` is
# the same value (a plain label means `$.label`) and matches the index.
meta="$work/ferretdb/internal/backends/sqlite/metadata/metadata.go"
sed -i "s/IDColumn = DefaultColumn + \"->'\$\._id'\"/IDColumn = DefaultColumn + \"->'_id'\"/" "$meta"
grep -q "IDColumn = DefaultColumn + \"->'_id'\"" "$meta" || fail "IDColumn not found in $meta"

# 3. Run write commands one at a time.
# FerretDB v1 runs `update`, `findAndModify` and `delete` as a query followed
# by a separate write (internal/handler/msg_update.go), so two conditional
# updates of one document can both match and both write — the second
# silently undoing the first. MongoDB applies a single-document conditional
# update atomically, and switchyard's entity store relies on exactly that (a
# commit is `updateOne({_id, version, fence <= token})`). SQLite takes one
# writer at a time anyway, so serializing write commands costs little; reads
# run concurrently (WAL). Contract: a write command's handler has returned
# (its write committed) before the next write command's handler starts.
commands="$work/ferretdb/internal/handler/commands.go"
sed -i 's/^func (h \*Handler) initCommands() {$/&\n\tdefer h.serializeWriteCommands()/' "$commands"
grep -q 'defer h.serializeWriteCommands()' "$commands" || fail "initCommands not found in $commands"
cat > "$work/ferretdb/internal/handler/serialized_writes.go" <<'GO'
package handler

import (
	"context"
	"sync"

	"github.com/FerretDB/wire"
)

// writeCommands are the commands FerretDB implements as query-then-write.
var writeCommands = []string{"insert", "update", "delete", "findAndModify", "findandmodify"}

// serializeWriteCommands wraps every write command's handler so that one runs at a time, across all connections.
func (h *Handler) serializeWriteCommands() {
	var writes sync.Mutex
	for _, name := range writeCommands {
		cmd := h.commands[name]
		if cmd == nil {
			panic("mongowire: no FerretDB command " + name)
		}
		inner := cmd.Handler
		cmd.Handler = func(ctx context.Context, msg *wire.OpMsg) (*wire.OpMsg, error) {
			writes.Lock()
			defer writes.Unlock()
			return inner(ctx, msg)
		}
	}
}
GO

# 4. No leak tracking of cursors and iterators.
# FerretDB registers every iterator in a pprof profile with a stack trace and a
# finalizer (internal/util/resource), to find leaks in its own tests: ~7% of
# mongowire's CPU under load (runtime.Callers per query).
resource="$work/ferretdb/internal/util/resource/resource.go"
sed -i 's/^func \(Track\|Untrack\)(obj any, token \*Token) {$/&\n\treturn/' "$resource"
[ "$(grep -A1 -E '^func (Track|Untrack)\(obj any, token \*Token\) \{$' "$resource" | grep -c '^	return$')" = 2 ] || fail "Track/Untrack not found in $resource"

cp go.mod "$work/go.mod" && cp go.sum "$work/go.sum"
printf '\nreplace github.com/FerretDB/FerretDB => %s\n' "$work/ferretdb" >> "$work/go.mod"
echo "$work/go.mod"
