package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := webos.LoadConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "authflow:", err)
		os.Exit(2)
	}
	cfg.LogLevel = "warn"
	webos.SetDefaultLogger(webos.NewLogger(cfg, os.Stderr))
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "authflow:", err)
		os.Exit(1)
	}
}

// reports is the application module whose API the flow calls: GET
// /reports/summary needs the permission "reports.read".
type reports struct{}

// ModuleInfo describes the module.
func (m *reports) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "reports", Name: "Reports", Description: "A protected API for the auth flow."}
}

// Permissions declares the module's permissions for the admin console.
func (m *reports) Permissions() []auth.Permission {
	return []auth.Permission{{Name: "reports.read", Description: "Read reports"}}
}

// Routes mounts GET /reports/summary behind the permission check, which
// the auth module, the application's authorizer, answers.
func (m *reports) Routes(r *webos.Router) {
	r.Require("reports.read").HandleFunc("GET /summary", func(w http.ResponseWriter, r *http.Request) error {
		u, _ := auth.UserFrom(r.Context())
		webos.WriteJSON(w, http.StatusOK, map[string]any{"for": u.Email, "reports": 3})
		return nil
	})
}

// run composes and starts the application, plays the flow against it,
// writing what happens to out, and stops it.
func run(ctx context.Context, cfg webos.Config, out io.Writer) error {
	var mods []webos.Module
	db := &store.Module{URL: cfg.MongoURL.Reveal(), Database: cfg.MongoDatabase}
	if db.URL == "" {
		dir, err := os.MkdirTemp("", "authflow-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		db.Dir = dir
	}
	accounts := auth.New(auth.Config{InsecureCookies: true})
	mods = append(mods, db, accounts, &reports{})
	app := webos.New(cfg, mods...)

	if err := app.Start(ctx); err != nil {
		return err
	}
	defer app.Stop(context.WithoutCancel(ctx))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sctx, stopServing := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- app.ServeListener(sctx, ln) }()
	defer func() { stopServing(); <-served }()
	base := "http://" + ln.Addr().String()

	// 1. Register a user from Go, with a role that grants the reports.
	if _, err := accounts.SaveRole(ctx, auth.Role{Name: "analyst", Description: "Reads reports", Permissions: []string{"reports.*"}}); err != nil {
		return err
	}
	const email, password = "demo@example.com", "demo-password-123"
	u, err := accounts.CreateUser(ctx, auth.NewUser{Email: email, Password: password, DisplayName: "Demo", Roles: []string{auth.RoleUser, "analyst"}})
	if errors.Is(err, auth.ErrEmailTaken) { // a persistent database from an earlier run
		if u, err = accounts.UserByEmail(ctx, email); err == nil {
			err = accounts.SetPassword(ctx, u.ID, password)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "registered %s with roles %s\n", u.Email, strings.Join(u.Roles, ", "))

	// 2. Log in over HTTP for a token.
	var login auth.LoginResponse
	status, err := call(ctx, "POST", base+"/auth/login", "", map[string]any{"email": email, "password": password, "token": true}, &login)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("login: status %d", status)
	}
	fmt.Fprintf(out, "login: %d, token of %d characters, valid for %s\n", status, len(login.Token), time.Until(login.ExpiresAt).Round(time.Hour))

	// 3. Call the protected API without and with the token.
	var summary map[string]any
	status, err = call(ctx, "GET", base+"/reports/summary", "", nil, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "GET /reports/summary without a token: %d\n", status)
	status, err = call(ctx, "GET", base+"/reports/summary", login.Token, nil, &summary)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "GET /reports/summary with the token: %d for %v, %v reports\n", status, summary["for"], summary["reports"])

	// 4. Log out: the token is revoked.
	status, err = call(ctx, "POST", base+"/auth/logout", login.Token, nil, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "logout: %d\n", status)
	status, err = call(ctx, "GET", base+"/reports/summary", login.Token, nil, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "GET /reports/summary after logout: %d\n", status)
	return nil
}

// call sends a JSON request with an optional bearer token and decodes a
// JSON answer into v when v is not nil.
func call(ctx context.Context, method, url, token string, body, v any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if v != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, url, err)
		}
	}
	return resp.StatusCode, nil
}
