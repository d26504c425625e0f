package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/webos-go/webos/internal/mongowire"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "mongowire:", err)
		}
		os.Exit(2)
	}
}

// run parses args, serves until ctx is done, then shuts the server down.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mongowire", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts mongowire.Options
	fs.StringVar(&opts.Addr, "listen", "127.0.0.1:27017", "TCP `address` to listen on (any local user can connect)")
	fs.StringVar(&opts.Socket, "socket", "", "Unix socket `path` (ending in .sock, in a folder of mode 0700) to listen on instead of TCP: only this user can connect")
	fs.StringVar(&opts.PostgreSQLURL, "postgresql", "", "PostgreSQL connection `URL` of the backend")
	fs.StringVar(&opts.SQLiteDir, "sqlite", "", "`folder` of the SQLite backend (created when missing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if (opts.PostgreSQLURL == "") == (opts.SQLiteDir == "") {
		return errors.New("give exactly one of -postgresql and -sqlite")
	}
	if opts.Socket != "" {
		listen := false
		fs.Visit(func(f *flag.Flag) { listen = listen || f.Name == "listen" })
		if listen {
			return errors.New("give -listen or -socket, not both")
		}
		opts.Addr = ""
	}

	srv, err := mongowire.Start(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "mongowire: ready on %s (%s)\n", srv.URI(), srv.Backend())
	<-ctx.Done()
	return srv.Close()
}
