package webos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
)

// Version is the WebOS SDK version.
const Version = "0.1.0"

// ErrUsage is returned by [App.Exec] for a command line it does not
// understand; the usage text has been printed.
var ErrUsage = errors.New("usage error")

// Main runs the application's command line with os.Args and exits: it is
// the whole body of a WebOS binary's main function after composition. The
// context is cancelled on SIGINT or SIGTERM, which shuts the server down
// gracefully.
func Main(app *App) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := app.Exec(ctx, os.Args[1:], os.Stdout)
	stop()
	switch {
	case err == nil:
		os.Exit(0)
	case errors.Is(err, ErrUsage):
		os.Exit(2)
	default:
		app.Logger().Error("exit", "err", err)
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// Exec runs one command line (without the program name): "serve" (the
// default), "modules list", "version", "help", or a command a module
// provides. Output goes to out.
func (a *App) Exec(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		args = []string{"serve"}
	}
	a.out = out
	switch args[0] {
	case "-h", "--help", "help":
		a.usage(out)
		return nil
	case "serve":
		if len(args) > 1 {
			if args[1] == "-h" || args[1] == "--help" {
				fmt.Fprintln(out, "usage: serve\n\nStart every module and serve HTTP on WEBOS_ADDR until SIGINT or SIGTERM.")
				return nil
			}
			return a.usageError(out, "serve takes no arguments")
		}
		a.mode = "serve"
		return a.Run(ctx)
	case "version":
		fmt.Fprintf(out, "%s %s (webos %s, %s)\n", programName(), buildVersion(), Version, runtime.Version())
		return nil
	case "modules":
		if len(args) == 2 && args[1] == "list" {
			if err := a.Validate(); err != nil {
				fmt.Fprintln(out, "warning:", err)
			}
			a.printModules(out)
			return nil
		}
		return a.usageError(out, "want: modules list")
	}
	cmd, rest, ok := a.findCommand(args)
	if !ok {
		return a.usageError(out, fmt.Sprintf("unknown command %q", strings.Join(args, " ")))
	}
	if len(rest) > 0 && (rest[0] == "-h" || rest[0] == "--help") {
		fmt.Fprintf(out, "usage: %s %s %s\n\n%s\n", programName(), cmd.Name, cmd.Usage, cmd.Summary)
		return nil
	}
	a.mode = cmd.Name
	if err := a.Start(ctx); err != nil {
		return err
	}
	runErr := cmd.Run(ctx, a, rest)
	return errors.Join(runErr, a.Stop(context.WithoutCancel(ctx)))
}

func (a *App) commands() []Command {
	var cmds []Command
	for _, m := range a.modules {
		if cp, ok := m.mod.(CommandProvider); ok {
			cmds = append(cmds, cp.Commands()...)
		}
	}
	return cmds
}

// findCommand matches the longest command name that prefixes args.
func (a *App) findCommand(args []string) (Command, []string, bool) {
	var best Command
	bestLen := 0
	for _, c := range a.commands() {
		words := strings.Fields(c.Name)
		if len(words) > len(args) || len(words) <= bestLen {
			continue
		}
		if slices.Equal(words, args[:len(words)]) {
			best, bestLen = c, len(words)
		}
	}
	return best, args[bestLen:], bestLen > 0
}

func (a *App) usageError(out io.Writer, msg string) error {
	fmt.Fprintf(out, "error: %s\n\n", msg)
	a.usage(out)
	return fmt.Errorf("%w: %s", ErrUsage, msg)
}

func (a *App) usage(out io.Writer) {
	name := programName()
	fmt.Fprintf(out, "usage: %s [command]\n\nCommands:\n", name)
	line := func(cmd, summary string) { fmt.Fprintf(out, "  %s\n        %s\n", cmd, summary) }
	line("serve", "start the modules and serve HTTP (the default)")
	line("modules list", "list the modules: ID, name, version, capabilities, state")
	line("version", "print the version")
	for _, c := range a.commands() {
		line(strings.TrimSpace(c.Name+" "+c.Usage), c.Summary)
	}
	line("help", "show this help")
	fmt.Fprintf(out, "\nConfiguration comes from %s* environment variables and an optional .env file.\n", EnvPrefix)
}

func (a *App) printModules(out io.Writer) {
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tVERSION\tCAPABILITIES\tSTATE")
	for _, m := range a.Modules() {
		state := m.State
		if !m.Enabled {
			state += " (disabled)"
		}
		caps := strings.Join(m.Capabilities, ",")
		if caps == "" {
			caps = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.ID, m.Name, orDash(m.Version), caps, state)
	}
	_ = tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func programName() string { return filepath.Base(os.Args[0]) }

func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
