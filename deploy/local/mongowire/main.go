// Command mongowire is switchyard's development and test MongoDB-wire server:
// FerretDB v1 embedded with its SQLite backend. It exists because no mongod can
// be installed on the development machines; production points MONGODB_URI at
// a real MongoDB replica set instead.
//
// Usage: mongowire -listen 127.0.0.1:27017 -dir /path/to/data
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
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
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

	// Announce readiness only once a TCP connection succeeds, so callers can wait on one line.
	go func() {
		for ctx.Err() == nil {
			conn, err := net.DialTimeout("tcp", *listen, 200*time.Millisecond)
			if err == nil {
				conn.Close()
				select {
				case err := <-done: // Run already ended: the listener that answered is not ours.
					done <- err
					return
				default:
				}
				fmt.Printf("ready mongodb://%s/\n", *listen)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()

	if err := <-done; err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "mongowire: %v\n", err)
		os.Exit(1)
	}
}
