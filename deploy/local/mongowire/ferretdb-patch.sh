#!/usr/bin/env bash
# Prepares a build of mongowire against a copy of FerretDB with six changes,
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
# insert_before_first <file> <regex> <text>: puts the lines of <text> before
# the first line of <file> matching <regex> (both taken as they are).
insert_before_first() {
  PATTERN="$2" TEXT="$3" awk '!done && $0 ~ ENVIRON["PATTERN"] { print ENVIRON["TEXT"]; done = 1 } { print }' "$1" > "$1.new" && mv "$1.new" "$1"
}

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

# 5. Push an _id $in down as `WHERE <id> IN (…)`.
# The actor runtime loads the entities of a group commit together with one
# find({_id: {$in: [ids]}}) (actors/runtime/entityStore.ts). FerretDB pushes
# only an _id equality down, so that find read and decoded every document of
# the collection — a cost that grows with the collection. An _id filter that
# is exactly {$in: [strings or ObjectIDs]} (≤ 1,000 of them) now becomes an IN
# over the same expression the unique _id index is on (change 2). As in
# change 1, the handler filters what the backend returns against the whole
# filter again, so results are unchanged.
sqlite_dir="$work/ferretdb/internal/backends/sqlite"
cat > "$sqlite_dir/id_in_pushdown.go" <<'GO'
package sqlite

import (
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// maxIDsInPushdown bounds the placeholders of one IN (SQLite allows 32,766 per statement).
const maxIDsInPushdown = 1000

// idInPushdown returns ` WHERE <IDColumn> IN (?, …)` and its arguments when
// v, the filter's _id value, is exactly {$in: [ids]} of strings or ObjectIDs.
func idInPushdown(v any) (string, []any, bool) {
	doc, ok := v.(*types.Document)
	if !ok || doc.Len() != 1 {
		return "", nil, false
	}
	in, err := doc.Get("$in")
	if err != nil {
		return "", nil, false
	}
	ids, ok := in.(*types.Array)
	if !ok || ids.Len() == 0 || ids.Len() > maxIDsInPushdown {
		return "", nil, false
	}
	args := make([]any, 0, ids.Len())
	for i := 0; i < ids.Len(); i++ {
		id := must.NotFail(ids.Get(i))
		switch id.(type) {
		case string, types.ObjectID:
			args = append(args, string(must.NotFail(sjson.MarshalSingleValue(id))))
		default:
			return "", nil, false
		}
	}
	placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	return fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, placeholders), args, true
}
GO
# Query is the first function with the _id switch; Explain (the second) keeps its plan report as it is.
insert_before_first "$sqlite_dir/collection.go" '^		case string, types.ObjectID:$' '		case *types.Document:
			if clause, inArgs, ok := idInPushdown(v); ok {
				whereClause, args = clause, inArgs
			}'
[ "$(grep -c 'idInPushdown(v)' "$sqlite_dir/collection.go")" = 1 ] || fail "the _id switch of Query not found in $sqlite_dir/collection.go"

# 6. An update reads its matches and ends the read before it writes.
# FerretDB's update handler (internal/handler/msg_update.go) keeps each
# statement's query open (a SQLite read transaction on one pooled
# connection) while it writes on another, until the whole command returns;
# msg_delete.go closes its read first ("close read transaction before
# starting write transaction"). With a reader from before every commit,
# SQLite's checkpoint never catches up with the WAL, which is then never
# restarted: under steady updates it grew by ~7 MB/s without end (441 MB
# after 100 s beside a 3.2 MB database) and its index, mapped into memory,
# with it (the soak's mongowire RSS climb). The change collects the
# statement's matching documents (one for a plain updateOne), closes the
# query, then updates from the collected documents. Writes are serialized
# (change 3), so no write can come between the read and the write.
update="$work/ferretdb/internal/handler/msg_update.go"
insert_before_first "$update" '^		result, err := common[.]UpdateDocument[(]ctx, c, "update", iter, &u[)]$' '		matches, err := iterator.ConsumeValues(iter)
		if err != nil {
			return 0, 0, nil, lazyerrors.Error(err)
		}

		closer.Close() // the read transaction ends before the write begins

		iter = iterator.Values(iterator.ForSlice(matches))
'
[ "$(grep -c 'iterator.ConsumeValues(iter)' "$update")" = 1 ] || fail "the UpdateDocument call not found in $update"

cp go.mod "$work/go.mod" && cp go.sum "$work/go.sum"
printf '\nreplace github.com/FerretDB/FerretDB => %s\n' "$work/ferretdb" >> "$work/go.mod"
echo "$work/go.mod"
