package auth

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/webos-go/webos"
)

// Commands adds the user administration commands to the application's
// command line:
//
//	user create --email ADDR [--name NAME] [--admin] [--role ROLE]... [--password-stdin | --password PW]
//	user set-password --email ADDR [--password-stdin | --password PW]
//	user list
//	user deactivate --email ADDR
//	user activate --email ADDR
//
// Without a password a random one is generated and printed once.
// --password-stdin reads it from standard input (the first line), which
// keeps it out of the process list and the shell history.
func (m *Module) Commands() []webos.Command {
	return []webos.Command{
		{
			Name:    "user create",
			Usage:   "--email ADDR [--name NAME] [--admin] [--role ROLE]... [--password-stdin | --password PW]",
			Summary: "create a user (a random password is printed when none is given)",
			Run:     m.cmdCreate,
		},
		{
			Name:    "user set-password",
			Usage:   "--email ADDR [--password-stdin | --password PW]",
			Summary: "set a user's password and end their sessions",
			Run:     m.cmdSetPassword,
		},
		{
			Name:    "user list",
			Summary: "list the users",
			Run:     m.cmdList,
		},
		{
			Name:    "user deactivate",
			Usage:   "--email ADDR",
			Summary: "deactivate a user and end their sessions and tokens",
			Run:     func(ctx context.Context, _ *webos.App, args []string) error { return m.cmdSetActive(ctx, args, false) },
		},
		{
			Name:    "user activate",
			Usage:   "--email ADDR",
			Summary: "reactivate a user",
			Run:     func(ctx context.Context, _ *webos.App, args []string) error { return m.cmdSetActive(ctx, args, true) },
		},
	}
}

// roleFlags collects repeated --role flags.
type roleFlags []string

// String joins the roles, for the flag package.
func (r *roleFlags) String() string { return strings.Join(*r, ",") }

// Set adds one role.
func (r *roleFlags) Set(s string) error {
	*r = append(*r, s)
	return nil
}

func (m *Module) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.out())
	return fs
}

func (m *Module) out() io.Writer {
	if m.Out == nil {
		return io.Discard
	}
	return m.Out
}

// parse parses args and turns flag errors into webos.ErrUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %s: %v", webos.ErrUsage, fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s: unexpected arguments %q", webos.ErrUsage, fs.Name(), fs.Args())
	}
	return nil
}

func needEmail(fs *flag.FlagSet, email string) error {
	if email == "" {
		return fmt.Errorf("%w: %s: --email is required", webos.ErrUsage, fs.Name())
	}
	return nil
}

func (m *Module) cmdCreate(ctx context.Context, _ *webos.App, args []string) error {
	fs := m.flags("user create")
	email := fs.String("email", "", "e-mail address")
	name := fs.String("name", "", "display name")
	admin := fs.Bool("admin", false, "give the admin role")
	password := fs.String("password", "", "password, visible to other local users in the process list (prefer --password-stdin)")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	var roles roleFlags
	fs.Var(&roles, "role", "give this role (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needEmail(fs, *email); err != nil {
		return err
	}
	rs := []string(roles)
	if *admin {
		rs = append(rs, RoleAdmin)
	}
	if len(rs) == 0 {
		rs = nil // the default roles
	}
	pw, generated, err := m.password(*password, *stdin)
	if err != nil {
		return err
	}
	u, err := m.CreateUser(ctx, NewUser{Email: *email, Password: pw, DisplayName: *name, Roles: rs})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.out(), "created user %s (%s), roles %s\n", u.Email, u.ID, strings.Join(u.Roles, ","))
	if generated {
		fmt.Fprintf(m.out(), "password: %s\n", pw)
	}
	return nil
}

func (m *Module) cmdSetPassword(ctx context.Context, _ *webos.App, args []string) error {
	fs := m.flags("user set-password")
	email := fs.String("email", "", "e-mail address")
	password := fs.String("password", "", "new password, visible to other local users in the process list (prefer --password-stdin)")
	stdin := fs.Bool("password-stdin", false, "read the new password from the first line of standard input")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needEmail(fs, *email); err != nil {
		return err
	}
	u, err := m.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	pw, generated, err := m.password(*password, *stdin)
	if err != nil {
		return err
	}
	if err := m.SetPassword(ctx, u.ID, pw); err != nil {
		return err
	}
	fmt.Fprintf(m.out(), "password of %s changed; their sessions and tokens have ended\n", u.Email)
	if generated {
		fmt.Fprintf(m.out(), "password: %s\n", pw)
	}
	return nil
}

func (m *Module) cmdList(ctx context.Context, _ *webos.App, args []string) error {
	fs := m.flags("user list")
	if err := parse(fs, args); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.out(), 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLES\tACTIVE\tCREATED")
	const page = 500
	for skip := int64(0); ; skip += page {
		list, err := m.Users(ctx, skip, page)
		if err != nil {
			return err
		}
		for _, u := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%s\n", u.ID, u.Email, orDash(u.DisplayName),
				orDash(strings.Join(u.Roles, ",")), u.Active, u.CreatedAt.Format("2006-01-02 15:04"))
		}
		if len(list) < page {
			break
		}
	}
	return tw.Flush()
}

func (m *Module) cmdSetActive(ctx context.Context, args []string, active bool) error {
	name := "user deactivate"
	if active {
		name = "user activate"
	}
	fs := m.flags(name)
	email := fs.String("email", "", "e-mail address")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needEmail(fs, *email); err != nil {
		return err
	}
	u, err := m.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	if err := m.SetActive(ctx, u.ID, active); err != nil {
		return err
	}
	state := "deactivated; their sessions and tokens have ended"
	if active {
		state = "activated"
	}
	fmt.Fprintf(m.out(), "%s %s\n", u.Email, state)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// password returns the password a command was given — by flag, or the first
// line of standard input — or a generated one (generated is then true).
func (m *Module) password(flagValue string, fromStdin bool) (pw string, generated bool, err error) {
	switch {
	case fromStdin && flagValue != "":
		return "", false, fmt.Errorf("%w: give --password or --password-stdin, not both", webos.ErrUsage)
	case fromStdin:
		in := m.In
		if in == nil {
			in = os.Stdin
		}
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("auth: reading the password: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", false, fmt.Errorf("%w: no password on standard input", webos.ErrUsage)
		}
		return line, false, nil
	case flagValue != "":
		return flagValue, false, nil
	}
	return newPassword(), true, nil
}
