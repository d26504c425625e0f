package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
)

// Sessions starts and ends browser sessions for the shell's sign-in and
// sign-out pages. SignIn checks the credentials and, when they are right,
// sets the session cookie on w; wrong credentials are an error wrapping
// [webos.ErrUnauthorized], throttling one wrapping
// [webos.ErrTooManyRequests] (ideally a *webos.RetryAfterError). SignOut
// ends the session r carries and clears the cookie.
type Sessions interface {
	SignIn(w http.ResponseWriter, r *http.Request, email, password string) error
	SignOut(w http.ResponseWriter, r *http.Request) error
}

// safeNext returns s when it is a path on this site, else "/".
func safeNext(s string) string {
	if s == "" || s[0] != '/' || len(s) > 2048 {
		return "/"
	}
	// Browsers drop tabs and newlines from URLs and read '\\' as '/', so
	// "/\t/evil.example" would leave the site: refuse every control
	// character and backslash outright.
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.HasPrefix(s, "//") {
		return "/"
	}
	return s
}

func signedIn(r *http.Request) bool {
	_, ok := auth.UserFrom(r.Context())
	return ok
}

func (m *Module) handleLoginPage(w http.ResponseWriter, r *http.Request) error {
	r, ok := m.authenticate(w, r)
	if !ok {
		return nil
	}
	next := safeNext(r.URL.Query().Get("next"))
	if m.sessions == nil || signedIn(r) {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return m.write(w, r, Page{Title: "Sign in", Bare: true, Content: m.loginForm("", next, "", nil)})
}

func (m *Module) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if m.sessions == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %v", webos.ErrBadRequest, err)
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	fields := map[string]string{}
	if email == "" {
		fields["email"] = "Enter your e-mail address."
	}
	if password == "" {
		fields["password"] = "Enter your password."
	}
	if len(fields) > 0 {
		if !wantsHTML(r) && !IsHTMX(r) {
			return &webos.ValidationError{Fields: fields} // an API client: JSON
		}
		return m.write(w, r, Page{Title: "Sign in", Bare: true, Status: http.StatusUnprocessableEntity,
			Content: m.loginForm(email, next, "Please fill in both fields.", fields)})
	}
	err := m.sessions.SignIn(w, r, email, password)
	if err == nil {
		AddFlash(w, r, Flash{Kind: "success", Text: "You are signed in."})
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	if !wantsHTML(r) && !IsHTMX(r) {
		return err // an API client gets the kernel's JSON error (and Retry-After)
	}
	status := webos.StatusOf(err)
	var problem string
	var ve *webos.ValidationError
	var ra *webos.RetryAfterError
	switch {
	case status == http.StatusUnauthorized:
		problem = "The e-mail address or password is not correct."
	case status == http.StatusTooManyRequests:
		problem = "Too many attempts. Please wait a moment and try again."
		if errors.As(err, &ra) && ra.After > 0 {
			secs := int((ra.After + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			problem = fmt.Sprintf("Too many attempts. Please wait %d seconds and try again.", secs)
		}
	case errors.As(err, &ve):
		problem, fields = "Please check the highlighted fields.", ve.Fields
	case status == http.StatusForbidden:
		problem = "The sign-in was refused: " + err.Error()
	default:
		m.Error(w, r, err)
		return nil
	}
	return m.write(w, r, Page{Title: "Sign in", Bare: true, Status: status, Content: m.loginForm(email, next, problem, fields)})
}

func (m *Module) handleLogoutPage(w http.ResponseWriter, r *http.Request) error {
	r, ok := m.authenticate(w, r)
	if !ok {
		return nil
	}
	if m.sessions == nil || !signedIn(r) {
		http.Redirect(w, r, LoginPath, http.StatusSeeOther)
		return nil
	}
	return m.write(w, r, Page{Title: "Sign out", Bare: true, Content: h.Div(h.Class("login card"),
		h.H1(g.Text("Sign out")),
		h.P(g.Text("Sign out of "+m.cfg.Brand+" on this browser?")),
		h.Form(h.Method("post"), h.Action(LogoutPath),
			h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Sign out"))),
		h.P(h.A(h.Href("/"), g.Text("Back to the launchpad"))),
	)})
}

func (m *Module) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if m.sessions == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	if err := m.sessions.SignOut(w, r); err != nil && webos.StatusOf(err) != http.StatusUnauthorized {
		return err
	}
	AddFlash(w, r, Flash{Kind: "info", Text: "You are signed out."})
	http.Redirect(w, r, LoginPath, http.StatusSeeOther)
	return nil
}

// loginForm renders the sign-in form. problem is shown as an alert; fields
// maps a field name to what is wrong with it.
func (m *Module) loginForm(email, next, problem string, fields map[string]string) g.Node {
	field := func(id, label, typ, auto, value string) g.Node {
		msg := fields[id]
		return h.Div(h.Class("field"),
			h.Label(h.For(id), g.Text(label)),
			h.Input(h.ID(id), h.Name(id), h.Type(typ), h.Required(), h.AutoComplete(auto),
				g.If(value != "", h.Value(value)),
				g.If(msg != "", g.Group{g.Attr("aria-invalid", "true"), g.Attr("aria-describedby", id+"-error")}),
				g.If(id == "email" && value == "" || id == "password" && value == "" && email != "", h.AutoFocus())),
			g.If(msg != "", h.P(h.ID(id+"-error"), h.Class("field-error"), g.Text(msg))),
		)
	}
	return h.Div(h.Class("login card"),
		h.H1(g.Text("Sign in to "+m.cfg.Brand)),
		g.If(problem != "", h.P(h.ID("login-error"), h.Class("flash flash-error"), h.Role("alert"), g.Text(problem))),
		h.Form(h.Method("post"), h.Action(LoginPath), h.Class("form"), g.Attr("aria-label", "Sign in"),
			h.Input(h.Type("hidden"), h.Name("next"), h.Value(next)),
			field("email", "E-mail address", "email", "username", email),
			field("password", "Password", "password", "current-password", ""),
			h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Sign in")),
		),
	)
}
