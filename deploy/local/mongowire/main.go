// Command mongowire is switchyard's development and test MongoDB-wire server:
// FerretDB v1 embedded with its SQLite backend, built against a patched copy
// of FerretDB (ferretdb-patch.sh: _id lookups through the _id index, write
// commands one at a time so a conditional update is atomic as in MongoDB, an
// update's read ended before its write so the WAL is checkpointed and reused,
// a multi-statement update read and written in one transaction each, an
// upsert reported under its own statement's index).
// It exists because no mongod can be installed on the development machines;
// production points MONGODB_URI at a real MongoDB replica set instead.
//
// Usage: mongowire -listen 127.0.0.1:27017 -dir /path/to/data
//
// It prints "ready <mongodb-uri>" on stdout once the listener accepts
// connections, and stops cleanly on SIGINT or SIGTERM.
//
// Durability: SQLite never calls fsync here (synchronous=OFF). A killed
// mongowire loses nothing (its writes are in the OS's page cache); a machine
// crash can lose the last writes. For development and tests only.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // served only with -pprof
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// sqlitePragmas are set on every SQLite connection (FerretDB adds busy_timeout, journal_mode(wal) and auto_vacuum(none)).
var sqlitePragmas = []string{
	"synchronous(off)",          // no fsync per commit (see Durability above)
	"cache_size(-32000)",        // 32 MiB page cache per connection (default 2 MiB)
	"temp_store(memory)",        // sorts and temporary indexes in memory
	"mmap_size(268435456)",      // reads through a memory map instead of a read() per page
	"wal_autocheckpoint(10000)", // copy the WAL back every ~40 MiB instead of ~4 MiB: a page rewritten often is copied once
}

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dir := flag.String("dir", "", "directory for the SQLite data files (required)")
	logLevel := flag.String("log-level", "error", "log level: debug, info, warn or error")
	pprofAddr := flag.String("pprof", os.Getenv("SY_MONGOWIRE_PPROF"), "serve Go's pprof on this address (for profiling; default $SY_MONGOWIRE_PPROF, empty: off)")
	flag.Parse()

	if *dir == "" {
		fmt.Fprintln(os.Stderr, "mongowire: -dir is required")
		os.Exit(2)
	}
	abs, err := filepath.Abs(*dir)
	if err == nil {
		err = os.MkdirAll(abs, 0o755)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mongowire: data directory: %v\n", err)
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "mongowire: -log-level: %v\n", err)
		os.Exit(2)
	}
	logger := slog.New(lazyAttrs{inner: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})

	if *pprofAddr != "" {
		go func() { fmt.Fprintln(os.Stderr, http.ListenAndServe(*pprofAddr, nil)) }()
	}
	// A dev server's heap is small: collect garbage less often (GOGC=400) unless GOGC says otherwise.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}

	sqliteURL := (&url.URL{Scheme: "file", Opaque: abs + "/", RawQuery: url.Values{"_pragma": sqlitePragmas}.Encode()}).String()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "mongowire: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// ferretdb.New has bound the listener and opened the backend: connections wait in the listen backlog until Run accepts them.
	fmt.Printf("ready %s\n", f.MongoDBURI())

	if err := <-done; err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "mongowire: %v\n", err)
		os.Exit(1)
	}
}
