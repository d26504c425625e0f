package auth

import (
	"context"
	"errors"
	"fmt"
	"github.com/webos-go/webos/audit"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/webos-go/webos"
)

// bodyLimit bounds the JSON bodies of the auth endpoints.
const bodyLimit = 16 << 10

// Routes mounts the endpoints under /auth:
//
//	POST   /auth/register        {email, password, display_name} → 202 {message}, when registration is open (403 otherwise)
//	POST   /auth/login           {email, password, token} → {expires_at, user} and the session cookie; with "token": true also {token}
//	POST   /auth/logout          ends the session and revokes the presented token → 204
//	GET    /auth/me              the current user, with resolved permissions
//	POST   /auth/password        {current_password, new_password} → 204; every session ends
//	GET    /auth/tokens          the user's valid tokens (never their secrets)
//	POST   /auth/tokens          {name, expires_in (seconds)} → 201 {token, id, name, expires_at}
//	DELETE /auth/tokens/{id}     revoke one of the user's tokens → 204
//	GET    /auth/users           users (auth.users.read), ?skip=&limit=
//	GET    /auth/users/{id}      one user (auth.users.read)
//	POST   /auth/users           create a user (auth.users.write)
//	PATCH  /auth/users/{id}      {display_name, roles, active} (auth.users.write)
//	GET    /auth/roles           roles (auth.users.read)
//	PUT    /auth/roles/{name}    {description, permissions} (auth.roles.write)
//	DELETE /auth/roles/{name}    (auth.roles.write) → 204
//	GET    /auth/permissions     every module's permissions (auth.users.read)
func (m *Module) Routes(r *webos.Router) {
	small := webos.BodyLimit(bodyLimit)
	doc := func(summary string, req, resp any, status int) webos.RouteOption {
		return webos.Describe(webos.Operation{Summary: summary, Request: req, Response: resp, Status: status})
	}
	r.HandleFunc("POST /register", m.handleRegister, small, doc("Register an account (when registration is open)", registerRequest{}, RegisterResponse{}, http.StatusAccepted))
	r.HandleFunc("POST /login", m.handleLogin, small, doc("Sign in: sets the session cookie, and returns a bearer token when asked", loginRequest{}, LoginResponse{}, 0))
	r.HandleFunc("POST /logout", m.handleLogout, small, doc("Sign out: ends the session or revokes the bearer token", nil, nil, http.StatusNoContent))

	self := r.Require()
	self.HandleFunc("GET /me", m.handleMe, doc("The signed-in user", nil, User{}, 0))
	self.HandleFunc("POST /password", m.handleChangePassword, small, doc("Change one's password (ends every other session)", passwordRequest{}, nil, http.StatusNoContent))
	self.HandleFunc("GET /tokens", m.handleListTokens, doc("One's API tokens", nil, []Token{}, 0))
	self.HandleFunc("POST /tokens", m.handleCreateToken, small, doc("Create an API token; its secret is shown only now", tokenRequest{}, TokenResponse{}, http.StatusCreated))
	self.HandleFunc("DELETE /tokens/{id}", m.handleRevokeToken, doc("Revoke one of one's tokens", nil, nil, http.StatusNoContent))

	read := r.Require(PermUsersRead)
	read.HandleFunc("GET /users", m.handleListUsers, doc("Users, by e-mail address", listUsersQuery{}, []User{}, 0))
	read.HandleFunc("GET /users/{id}", m.handleGetUser, doc("One user", nil, User{}, 0))
	read.HandleFunc("GET /roles", m.handleListRoles, doc("Roles, by name", nil, []Role{}, 0))
	read.HandleFunc("GET /permissions", m.handlePermissions, doc("Every module's permissions", nil, []ModulePermission{}, 0))

	write := r.Require(PermUsersWrite)
	write.HandleFunc("POST /users", m.handleCreateUser, small, doc("Create a user", createUserRequest{}, User{}, http.StatusCreated))
	write.HandleFunc("PATCH /users/{id}", m.handlePatchUser, small, doc("Change a user's name, roles or state", patchUserRequest{}, User{}, 0))

	roles := r.Require(PermRolesWrite)
	roles.HandleFunc("PUT /roles/{name}", m.handlePutRole, small, doc("Create or replace a role", roleRequest{}, Role{}, 0))
	roles.HandleFunc("DELETE /roles/{name}", m.handleDeleteRole, doc("Delete a role no user has", nil, nil, http.StatusNoContent))
}

// registerRequest is the body of POST /auth/register.
type registerRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
}

// loginRequest is the body of POST /auth/login.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Token asks for the bearer token in the body.
	Token bool `json:"token"`
}

// passwordRequest is the body of POST /auth/password.
type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// tokenRequest is the body of POST /auth/tokens.
type tokenRequest struct {
	Name      string `json:"name"`
	ExpiresIn int64  `json:"expires_in"`
}

// listUsersQuery are the query parameters of GET /auth/users.
type listUsersQuery struct {
	Skip  int `query:"skip"`
	Limit int `query:"limit"`
}

// createUserRequest is the body of POST /auth/users.
type createUserRequest struct {
	Email       string   `json:"email"`
	Password    string   `json:"password"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
	Active      *bool    `json:"active"`
}

// patchUserRequest is the body of PATCH /auth/users/{id}.
type patchUserRequest struct {
	DisplayName *string   `json:"display_name"`
	Roles       *[]string `json:"roles"`
	Active      *bool     `json:"active"`
}

// roleRequest is the body of PUT /auth/roles/{name}.
type roleRequest struct {
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
}

// LoginResponse is the body of a successful POST /auth/login.
type LoginResponse struct {
	// Token is the bearer token, present only when the request asked for
	// one with "token": true; the session cookie holds the same credential.
	// A browser leaves it out, so that page scripts never see the secret
	// the HttpOnly cookie keeps from them.
	Token     string    `json:"token,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	User      *User     `json:"user"`
}

// TokenResponse is the body of a successful POST /auth/tokens.
type TokenResponse struct {
	Token     string    `json:"token"`
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	ExpiresAt time.Time `json:"expires_at"`
}

func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

func retryLater(wait time.Duration) error {
	return &webos.RetryAfterError{Err: ErrTooManyAttempts, After: wait}
}

func (m *Module) handleRegister(w http.ResponseWriter, r *http.Request) error {
	if m.cfg.Registration != RegistrationOpen {
		return ErrRegistrationClosed
	}
	if err := m.cop.Check(r); err != nil {
		return ErrCrossOrigin
	}
	if wait := m.throttle.registration(throttleKey(m.ClientIP(r)), m.cfg.Now()); wait > 0 {
		return retryLater(wait)
	}
	var in registerRequest
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	// A taken address gets the same answer as a new one, after the same
	// work (validation, one password hash, one insert), so that the
	// endpoint does not tell who has an account.
	_, err := m.CreateUser(r.Context(), NewUser{Email: in.Email, Password: in.Password, DisplayName: in.DisplayName})
	switch {
	case errors.Is(err, ErrEmailTaken):
		m.log.InfoContext(r.Context(), "registration for an address that has an account", "ip", m.ClientIP(r))
	case err != nil:
		return err
	}
	webos.WriteJSON(w, http.StatusAccepted, RegisterResponse{Message: registeredMessage})
	return nil
}

// RegisterResponse is the body of an accepted POST /auth/register. It is
// the same whether the address was free or already had an account.
type RegisterResponse struct {
	// Message tells the client what happens next.
	Message string `json:"message"`
}

const registeredMessage = "registration received: if the address had no account, one was created and you can sign in with the password you chose"

func (m *Module) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if err := m.cop.Check(r); err != nil {
		return ErrCrossOrigin
	}
	var in loginRequest
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	secret, tok, u, err := m.signIn(w, r, in.Email, in.Password)
	if err != nil {
		return err
	}
	out := LoginResponse{ExpiresAt: tok.ExpiresAt, User: u}
	if in.Token {
		out.Token = secret
	}
	noStore(w)
	webos.WriteJSON(w, http.StatusOK, out)
	return nil
}

// SignIn checks a browser's credentials — with the same cross-origin
// check, throttling and generic error as POST /auth/login — and starts a
// session by setting the session cookie on w. A sign-in form of the shell
// calls it.
func (m *Module) SignIn(w http.ResponseWriter, r *http.Request, email, password string) error {
	if err := m.cop.Check(r); err != nil {
		return ErrCrossOrigin
	}
	_, _, _, err := m.signIn(w, r, email, password)
	return err
}

func (m *Module) signIn(w http.ResponseWriter, r *http.Request, email, password string) (string, *Token, *User, error) {
	f := fields{}
	if email == "" {
		f.check("email", "is required")
	}
	if password == "" {
		f.check("password", "is required")
	}
	if err := f.err(); err != nil {
		return "", nil, nil, err
	}
	email = NormalizeEmail(email)
	att, wait := m.throttle.begin(email, throttleKey(m.ClientIP(r)), m.cfg.Now())
	if wait > 0 {
		m.log.WarnContext(r.Context(), "login throttled", "email", email, "ip", m.ClientIP(r))
		return "", nil, nil, retryLater(wait)
	}
	u, err := m.checkPassword(r.Context(), email, password)
	if err != nil {
		if !errors.Is(err, ErrInvalidCredentials) {
			att.cancel() // the server failed, not the client
		}
		return "", nil, nil, err
	}
	att.succeeded()
	secret, tok, u, err := m.finishLogin(audit.WithClient(r.Context(), m.ClientIP(r)), u, password)
	if err != nil {
		return "", nil, nil, err
	}
	if err := m.setSessionCookie(w, r, secret); err != nil {
		return "", nil, nil, err
	}
	return secret, tok, u, nil
}

func (m *Module) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := m.SignOut(w, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// SignOut ends the session or revokes the token r carries and clears the
// session cookie on w.
func (m *Module) SignOut(w http.ResponseWriter, r *http.Request) error {
	_, c, err := m.authenticate(w, r)
	if err != nil && !errors.Is(err, ErrInvalidToken) {
		return err
	}
	if c.token != nil {
		if err := m.revoke(r.Context(), c.token.ID); err != nil && !errors.Is(err, ErrTokenNotFound) {
			return err
		}
	}
	m.clearSessionCookie(w)
	return nil
}

func (m *Module) handleMe(w http.ResponseWriter, r *http.Request) error {
	u, _ := UserFrom(r.Context())
	noStore(w)
	webos.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (m *Module) handleChangePassword(w http.ResponseWriter, r *http.Request) error {
	u, _ := UserFrom(r.Context())
	var in passwordRequest
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	att, wait := m.throttle.begin(u.Email, throttleKey(m.ClientIP(r)), m.cfg.Now())
	if wait > 0 {
		return retryLater(wait)
	}
	ok, err := m.verifyPassword(r.Context(), in.CurrentPassword, u.PasswordHash)
	if err != nil {
		att.cancel()
		return err
	}
	if !ok {
		return webos.Invalid("current_password", "is not correct")
	}
	att.succeeded()
	if p := checkPassword(in.NewPassword, m.cfg.MinPasswordLength); p != "" {
		return webos.Invalid("new_password", p)
	}
	if err := m.SetPassword(r.Context(), u.ID, in.NewPassword); err != nil {
		return err
	}
	m.clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) handleListTokens(w http.ResponseWriter, r *http.Request) error {
	u, _ := UserFrom(r.Context())
	list, err := m.Tokens(r.Context(), u.ID)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (m *Module) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	u, _ := UserFrom(r.Context())
	var in tokenRequest
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	f := fields{}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		f.check("name", "must be 1 to 100 characters")
	}
	maxSecs := int64(m.cfg.MaxTokenTTL / time.Second)
	if in.ExpiresIn < 0 || in.ExpiresIn > maxSecs {
		f.check("expires_in", "must be between 1 and "+strconv.FormatInt(maxSecs, 10)+" seconds, or 0 for the default")
	}
	if err := f.err(); err != nil {
		return err
	}
	secret, t, err := m.IssueToken(r.Context(), u.ID, in.Name, time.Duration(in.ExpiresIn)*time.Second)
	if err != nil {
		return err
	}
	noStore(w)
	webos.WriteJSON(w, http.StatusCreated, TokenResponse{Token: secret, ID: t.ID, Name: t.Name, ExpiresAt: t.ExpiresAt})
	return nil
}

func (m *Module) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	u, _ := UserFrom(r.Context())
	if err := m.RevokeToken(r.Context(), u.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func queryInt(r *http.Request, name string, def, maxV int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > maxV {
		return 0, webos.Invalid(name, "must be a whole number from 0 to "+strconv.FormatInt(maxV, 10))
	}
	return n, nil
}

func (m *Module) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	skip, err := queryInt(r, "skip", 0, 1<<31)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100, 1000)
	if err != nil {
		return err
	}
	list, err := m.Users(r.Context(), skip, limit)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (m *Module) handleGetUser(w http.ResponseWriter, r *http.Request) error {
	u, err := m.User(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := m.resolve(r.Context(), u); err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (m *Module) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in createUserRequest
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	me, _ := UserFrom(r.Context())
	if err := m.MayGrant(r.Context(), me, in.Roles); err != nil {
		return err
	}
	u, err := m.CreateUser(r.Context(), NewUser{
		Email: in.Email, Password: in.Password, DisplayName: in.DisplayName,
		Roles: in.Roles, Inactive: in.Active != nil && !*in.Active,
	})
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusCreated, u)
	return nil
}

func (m *Module) handlePatchUser(w http.ResponseWriter, r *http.Request) error {
	me, _ := UserFrom(r.Context())
	id := r.PathValue("id")
	var in patchUserRequest
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	if in.Active != nil && !*in.Active && id == me.ID {
		return webos.Invalid("active", "you cannot deactivate yourself")
	}
	if in.Roles != nil && id == me.ID {
		return webos.Invalid("roles", "you cannot change your own roles")
	}
	target, err := m.User(r.Context(), id)
	if err != nil {
		return err
	}
	if !Allowed(me.Permissions, target.Permissions...) {
		return fmt.Errorf("%w: the user holds permissions you do not", ErrForbidden)
	}
	if in.Roles != nil {
		if err := m.MayGrant(r.Context(), me, *in.Roles); err != nil {
			return err
		}
	}
	ctx := r.Context()
	if in.DisplayName != nil {
		if err := m.SetDisplayName(ctx, id, *in.DisplayName); err != nil {
			return err
		}
	}
	if in.Roles != nil {
		if err := m.SetRoles(ctx, id, *in.Roles); err != nil {
			return err
		}
	}
	if in.Active != nil {
		if err := m.SetActive(ctx, id, *in.Active); err != nil {
			return err
		}
	}
	u, err := m.User(ctx, id)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (m *Module) handleListRoles(w http.ResponseWriter, r *http.Request) error {
	list, err := m.Roles(r.Context())
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (m *Module) handlePutRole(w http.ResponseWriter, r *http.Request) error {
	var in roleRequest
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	me, _ := UserFrom(r.Context())
	if err := m.MayChangeRole(r.Context(), me, r.PathValue("name"), in.Permissions); err != nil {
		return err
	}
	role, err := m.SaveRole(r.Context(), Role{Name: r.PathValue("name"), Description: in.Description, Permissions: in.Permissions})
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, role)
	return nil
}

func (m *Module) handleDeleteRole(w http.ResponseWriter, r *http.Request) error {
	me, _ := UserFrom(r.Context())
	if err := m.MayChangeRole(r.Context(), me, r.PathValue("name"), nil); err != nil {
		return err
	}
	if err := m.DeleteRole(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) handlePermissions(w http.ResponseWriter, r *http.Request) error {
	webos.WriteJSON(w, http.StatusOK, m.PermissionCatalog())
	return nil
}

// MayGrant checks that the caller holds every permission the roles grant,
// so that nobody hands out more than they have: an error wrapping
// [ErrForbidden] names the first role that grants more. The admin
// console asks it to show which roles a caller may give.
func (m *Module) MayGrant(ctx context.Context, caller *User, roles []string) error {
	rp, err := m.rolePermissions(ctx)
	if err != nil {
		return err
	}
	for _, name := range roles {
		if !Allowed(caller.Permissions, rp[name]...) {
			return fmt.Errorf("%w: role %q grants permissions you do not hold", ErrForbidden, name)
		}
	}
	return nil
}

// MayChangeRole checks that the caller holds every permission the role
// grants now and every one it is to grant.
func (m *Module) MayChangeRole(ctx context.Context, caller *User, name string, perms []string) error {
	if err := m.MayGrant(ctx, caller, []string{name}); err != nil {
		return err
	}
	if !Allowed(caller.Permissions, perms...) {
		return fmt.Errorf("%w: a role cannot grant permissions you do not hold", ErrForbidden)
	}
	return nil
}
