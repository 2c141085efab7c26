// Command mongowire is switchyard's development and test MongoDB-wire server:
// FerretDB v1 embedded with its SQLite backend. It exists because no mongod can
// be installed on the development machines; production points MONGODB_URI at
// a real MongoDB replica set instead.
//
// Usage: mongowire -listen 127.0.0.1:27017 -dir /path/to/data
//
// FerretDB itself listens on a private Unix socket; clients reach it through
// the write serializer (writeserializer.go), which makes a conditional
// single-document update atomic, as it is in MongoDB.
//
// It prints "ready <mongodb-uri>" on stdout once the listener accepts
// connections, and stops cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only with -pprof
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dir := flag.String("dir", "", "directory for the SQLite data files (required)")
	logLevel := flag.String("log-level", "error", "log level: debug, info, warn or error")
	pprofAddr := flag.String("pprof", os.Getenv("SY_MONGOWIRE_PPROF"), "serve Go's pprof on this address (for profiling; default $SY_MONGOWIRE_PPROF, empty: off)")
	flag.Parse()

	if *pprofAddr != "" {
		go func() { fmt.Fprintln(os.Stderr, http.ListenAndServe(*pprofAddr, nil)) }()
	}

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
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	socket := filepath.Join(os.TempDir(), fmt.Sprintf("mongowire-%d.sock", os.Getpid()))
	_ = os.Remove(socket)
	defer os.Remove(socket)

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: socket},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "mongowire: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// Open the public listener once FerretDB answers on its socket, then announce readiness on one line.
	go func() {
		for ctx.Err() == nil {
			conn, err := net.DialTimeout("unix", socket, 200*time.Millisecond)
			if err != nil {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			conn.Close()
			l, err := net.Listen("tcp", *listen)
			if err != nil {
				done <- fmt.Errorf("listen %s: %w", *listen, err)
				return
			}
			go func() { <-ctx.Done(); l.Close() }()
			relay := &writeSerializer{upstream: func() (net.Conn, error) { return net.Dial("unix", socket) }, logger: logger}
			fmt.Printf("ready mongodb://%s/\n", *listen)
			if err := relay.serve(l); err != nil {
				done <- err
			}
			return
		}
	}()

	if err := <-done; err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "mongowire: %v\n", err)
		os.Exit(1)
	}
}
