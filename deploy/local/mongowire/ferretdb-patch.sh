#!/usr/bin/env bash
# Prepares a build of mongowire against a copy of FerretDB with one condition
# of its SQLite backend changed, and prints the go.mod to build with
# (`go build -modfile <it>`). Usage, inside deploy/local/mongowire:
#   ferretdb-patch.sh <work dir>
#
# Why: FerretDB v1.24's SQLite backend looks a document up by its _id column
# only when the filter is exactly {_id: <id>}; any other filter reads and
# decodes EVERY document of the collection. switchyard's commit is
# updateOne({_id, version, fence: {$lte}}): one full scan per command, so a
# command cost ~20 ms of mongowire CPU with 500 entities, growing with every
# entity added. The change pushes the _id equality down whenever the filter
# has a string/ObjectID _id; FerretDB's handlers filter every document the
# backend returns against the whole filter again (update, findAndModify,
# delete, find, count, distinct, aggregate), so results are unchanged.
# The copy lives in <work dir> (the tools cache), never in the clone.
set -euo pipefail
work="$1"
rm -rf "$work" && mkdir -p "$work"
module_dir="$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)"
cp -r "$module_dir" "$work/ferretdb" && chmod -R u+w "$work/ferretdb"
file="$work/ferretdb/internal/backends/sqlite/collection.go"
sed -i 's/if params\.Filter\.Len() == 1 {/if params.Filter.Has("_id") {/' "$file"
changed="$(grep -c 'if params.Filter.Has("_id") {' "$file" || true)"
if [ "$changed" != 2 ]; then
  echo "ferretdb-patch: expected 2 changed lines in $file, got $changed (FerretDB version changed?)" >&2
  exit 1
fi
# Second change: the _id lookups above compare `_ferretdb_sjson->'$._id'`, but
# the unique _id index FerretDB creates is on `_ferretdb_sjson->"_id"`. SQLite
# uses an expression index only for the same expression, so every lookup by
# _id scanned and JSON-parsed every row of the table (measured: 5-7 ms of CPU
# per findOne or update with 500 entity documents). `->'_id'` is the same value
# (a plain label means `$.label`) and matches the index.
meta="$work/ferretdb/internal/backends/sqlite/metadata/metadata.go"
sed -i "s/IDColumn = DefaultColumn + \"->'\$\._id'\"/IDColumn = DefaultColumn + \"->'_id'\"/" "$meta"
grep -q "IDColumn = DefaultColumn + \"->'_id'\"" "$meta" || { echo "ferretdb-patch: IDColumn not found in $meta (FerretDB version changed?)" >&2; exit 1; }
cp go.mod "$work/go.mod" && cp go.sum "$work/go.sum"
printf '\nreplace github.com/FerretDB/FerretDB => %s\n' "$work/ferretdb" >> "$work/go.mod"
echo "$work/go.mod"
