#!/usr/bin/env bash
# Prepares a build of mongowire against a copy of FerretDB with eight changes,
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

# 7. Apply a multi-statement update in one read and one write transaction.
# The actor runtime commits a batch as one unordered bulkWrite: one `update`
# command with a statement per entity, each {_id, version, fence: {$lte}}.
# FerretDB runs every statement as its own query (a read transaction) and
# its own write (a write transaction), so a batch of 24 cost 48 SQLite
# transactions and more server CPU per document than 16 concurrent single
# updates (measured: 0.95-1.6 ms against 0.77-0.85 ms). When every statement
# of a command is a single-document update whose filter has a string/ObjectID
# _id equality, and no two statements name the same _id (≤ 1,000 of them),
# the change reads all their documents with one _id $in query (change 5),
# applies each statement to its own document in order (the same filter and
# update code as before; an upsert of a missing document inserts it then),
# and writes every modified document in one UpdateAll (one transaction), so
# a batch of 24 costs 0.71 ms per document. Statements of distinct
# documents do not see each other, and writes are serialized (change 3), so
# no write comes between the read and the write: the outcome per statement
# is the one the loop gave. One difference: a statement that fails (a bad
# update operator) now fails the command before anything is written, where
# the loop had written the statements before it.
cat > "$work/ferretdb/internal/handler/batched_update.go" <<'GO'
package handler

import (
	"context"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/handler/common"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// maxBatchedStatements bounds the _id $in of one batched read (change 5 pushes ≤ 1,000 down).
const maxBatchedStatements = 1000

// batchableIDs returns each statement's _id when the statements can run as one read and one write (see ferretdb-patch.sh, change 7).
func batchableIDs(updates []common.Update) ([]any, bool) {
	if len(updates) < 2 || len(updates) > maxBatchedStatements {
		return nil, false
	}
	ids := make([]any, len(updates))
	seen := make(map[any]struct{}, len(updates))
	for i, u := range updates {
		if u.Multi || u.Filter == nil {
			return nil, false
		}
		id, err := u.Filter.Get("_id")
		if err != nil {
			return nil, false
		}
		switch id.(type) {
		case string, types.ObjectID:
		default:
			return nil, false
		}
		if _, dup := seen[id]; dup {
			return nil, false
		}
		seen[id] = struct{}{}
		ids[i] = id
	}
	return ids, true
}

// collectedWrites stands in for the collection during the statements: it keeps the documents they update (an upsert's insert goes through at once).
type collectedWrites struct {
	backends.Collection
	docs []*types.Document
}

// UpdateAll implements backends.Collection interface by keeping params.Docs for one write later.
func (w *collectedWrites) UpdateAll(_ context.Context, params *backends.UpdateAllParams) (*backends.UpdateAllResult, error) {
	w.docs = append(w.docs, params.Docs...)
	return &backends.UpdateAllResult{Updated: int32(len(params.Docs))}, nil
}

// updateBatched runs params.Updates (batchable, with their ids) as one read and one write; same results as the statement loop.
func (h *Handler) updateBatched(ctx context.Context, c backends.Collection, params *common.UpdateParams, ids []any) (int32, int32, *types.Array, error) {
	in := types.MakeArray(len(ids))
	for _, id := range ids {
		in.Append(id)
	}
	res, err := c.Query(ctx, &backends.QueryParams{Filter: must.NotFail(types.NewDocument("_id", must.NotFail(types.NewDocument("$in", in))))})
	if err != nil {
		return 0, 0, nil, lazyerrors.Error(err)
	}
	found, err := iterator.ConsumeValues(iterator.Interface[struct{}, *types.Document](res.Iter)) // closes the read: it ends before the write begins
	if err != nil {
		return 0, 0, nil, lazyerrors.Error(err)
	}
	byID := make(map[any]*types.Document, len(found))
	for _, doc := range found {
		byID[must.NotFail(doc.Get("_id"))] = doc
	}

	var matched, modified int32
	upserted := new(types.Array)
	writes := &collectedWrites{Collection: c}
	for i := range params.Updates {
		u := &params.Updates[i]
		var candidates []*types.Document
		if doc := byID[ids[i]]; doc != nil {
			candidates = []*types.Document{doc}
		}
		closer := iterator.NewMultiCloser()
		iter := common.FilterIterator(iterator.Values(iterator.ForSlice(candidates)), closer, u.Filter)
		result, err := common.UpdateDocument(ctx, writes, "update", iter, u)
		closer.Close()
		if err != nil {
			return 0, 0, nil, lazyerrors.Error(err)
		}
		matched += result.Matched.Count
		modified += result.Modified.Count
		if result.Upserted.Doc != nil {
			upserted.Append(must.NotFail(types.NewDocument("index", int32(i), "_id", must.NotFail(result.Upserted.Doc.Get("_id")))))
			matched++ // as the statement loop counts an upsert
		}
	}

	if len(writes.docs) > 0 {
		if _, err := c.UpdateAll(ctx, &backends.UpdateAllParams{Docs: writes.docs}); err != nil {
			return 0, 0, nil, lazyerrors.Error(err)
		}
	}
	return matched, modified, upserted, nil
}
GO
batched_first='	if c, err := db.Collection(params.Collection); err == nil && !h.DisablePushdown {
		if ids, ok := batchableIDs(params.Updates); ok {
			return h.updateBatched(ctx, c, params, ids)
		}
	}
'
insert_before_first "$update" '^	for _, u := range params[.]Updates [{]$' "$batched_first"
[ "$(grep -c 'h.updateBatched(ctx, c, params, ids)' "$update")" = 1 ] || fail "the statement loop of updateDocument not found in $update"

# 8. Report an upsert under its statement's index.
# An `update` reply lists each upserted document with the index of the
# statement that inserted it; the driver maps it to the operation
# (BulkWriteResult.upsertedIds). FerretDB put the count of upserts before it
# there instead, so with [a stale update, an upsert] the driver reported
# operation 0 upserted — and the entity store would have taken the refused
# commit of operation 0 for one that landed. (Change 7's path reports the
# statement's index too.)
sed -i 's/^\tfor _, u := range params[.]Updates {$/\tfor i, u := range params.Updates {/; s/"index", int32(upserted[.]Len()),/"index", int32(i),/' "$update"
[ "$(grep -c '"index", int32(i),' "$update")" = 1 ] && [ "$(grep -c '^	for i, u := range params.Updates {$' "$update")" = 1 ] || fail "the upsert index of updateDocument not found in $update"

cp go.mod "$work/go.mod" && cp go.sum "$work/go.sum"
printf '\nreplace github.com/FerretDB/FerretDB => %s\n' "$work/ferretdb" >> "$work/go.mod"
echo "$work/go.mod"
