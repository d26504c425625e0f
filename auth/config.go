package auth

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/webos-go/webos"
)

// Config configures the auth [Module]. [LoadConfig] fills it from WEBOS_*
// environment variables; zero fields take the defaults listed here, so
// Config{} is a valid configuration. Cookie keys are not here: they come
// from the kernel's Config.SecretKeys (WEBOS_SECRET_KEYS).
type Config struct {
	// AdminEmail is the e-mail address of the administrator created on
	// first run, when the database has no user (default "admin@localhost").
	AdminEmail string `env:"ADMIN_EMAIL"`
	// AdminPassword is that administrator's password. Empty generates a
	// one-time password that is logged once, at WARN level.
	AdminPassword webos.Secret `env:"ADMIN_PASSWORD"`

	// InsecureCookies drops the Secure flag from the session cookie, for
	// local development over plain http. Never set it in production.
	InsecureCookies bool `env:"AUTH_INSECURE_COOKIES"`
	// CookieName is the session cookie's name (default "webos_session").
	CookieName string `env:"AUTH_COOKIE_NAME"`
	// SessionTTL is how long a login — its cookie and its token — lasts
	// without being used (default 7 days). A login in use is renewed: a
	// request made with it once a tenth of SessionTTL has passed since it
	// was issued or last renewed moves its end to SessionTTL from then
	// (and gives the browser a fresh cookie), so that a long upload or an
	// afternoon of work does not end in the middle, but never past
	// SessionMaxLifetime after the sign-in.
	SessionTTL time.Duration `env:"AUTH_SESSION_TTL"`
	// SessionMaxLifetime bounds how long a login can be kept alive by
	// renewal, counted from the sign-in (default 30 days; never less than
	// SessionTTL). Set it to SessionTTL to turn renewal off. API tokens
	// are never renewed.
	SessionMaxLifetime time.Duration `env:"AUTH_SESSION_MAX_LIFETIME"`
	// MaxTokenTTL bounds the lifetime of API tokens users create (default
	// 365 days); TokenTTL is the lifetime when they do not ask for one
	// (default 30 days).
	MaxTokenTTL time.Duration `env:"AUTH_MAX_TOKEN_TTL"`
	TokenTTL    time.Duration `env:"AUTH_TOKEN_TTL"`

	// MinPasswordLength is the minimum number of characters of a new
	// password (default 10).
	MinPasswordLength int `env:"AUTH_MIN_PASSWORD_LENGTH"`
	// Registration says whether people may create their own accounts
	// through POST /auth/register: [RegistrationClosed] (the default, also
	// for "") or [RegistrationOpen]. Administrators create users either
	// way.
	Registration string `env:"AUTH_REGISTRATION"`
	// DefaultRoles are given to users created without roles, such as
	// self-registered ones (default ["user"]).
	DefaultRoles []string `env:"AUTH_DEFAULT_ROLES"`

	// TrustedProxies lists the addresses or CIDR prefixes of reverse proxies
	// whose X-Forwarded-For header is believed. Without any, the client
	// address is the connection's remote address.
	TrustedProxies []string `env:"AUTH_TRUSTED_PROXIES"`
	// TrustedOrigins lists origins ("https://admin.example.com") allowed to
	// make cookie-authenticated state-changing requests across origins.
	TrustedOrigins []string `env:"AUTH_TRUSTED_ORIGINS"`

	// CredentialCacheTTL is how long an instance keeps a verified token —
	// its user, the user's resolved permissions and the token record — in
	// memory, so that authenticated requests need no database read
	// (default 5 s; negative turns the cache off). Changes made on the
	// instance take effect at once; other instances hear of them through
	// the application's bus and, without a shared bus, stop using what
	// they cached after at most this long.
	CredentialCacheTTL time.Duration `env:"AUTH_CREDENTIAL_CACHE_TTL"`
	// CredentialCacheSize bounds the number of tokens the cache holds
	// (default 10000).
	CredentialCacheSize int `env:"AUTH_CREDENTIAL_CACHE_SIZE"`

	// Password sets the argon2id parameters of new hashes (default
	// [DefaultParams]). Hashes with other parameters are replaced at the
	// next successful login.
	Password Params
	// Throttle limits failed logins and registrations (default
	// [DefaultThrottle]).
	Throttle Throttle
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Values of [Config.Registration].
const (
	// RegistrationClosed refuses POST /auth/register with 403.
	RegistrationClosed = "closed"
	// RegistrationOpen lets anyone create an account with the default
	// roles.
	RegistrationOpen = "open"
)

// LoadConfig reads a Config from the environment and .env files, as
// [webos.Load] does.
func LoadConfig(envFiles ...string) (Config, error) {
	var c Config
	if err := webos.Load(&c, envFiles...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.AdminEmail == "" {
		c.AdminEmail = "admin@localhost"
	}
	if c.CookieName == "" {
		c.CookieName = "webos_session"
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 7 * 24 * time.Hour
	}
	if c.SessionMaxLifetime <= 0 {
		c.SessionMaxLifetime = 30 * 24 * time.Hour
	}
	c.SessionMaxLifetime = max(c.SessionMaxLifetime, c.SessionTTL)
	if c.MaxTokenTTL <= 0 {
		c.MaxTokenTTL = 365 * 24 * time.Hour
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = min(30*24*time.Hour, c.MaxTokenTTL)
	}
	if c.MinPasswordLength <= 0 {
		c.MinPasswordLength = 10
	}
	if c.Registration == "" {
		c.Registration = RegistrationClosed
	}
	if c.CredentialCacheTTL == 0 {
		c.CredentialCacheTTL = 5 * time.Second
	}
	if c.CredentialCacheSize <= 0 {
		c.CredentialCacheSize = 10000
	}
	if len(c.DefaultRoles) == 0 {
		c.DefaultRoles = []string{RoleUser}
	}
	if c.Password == (Params{}) {
		c.Password = DefaultParams
	}
	if c.Throttle == (Throttle{}) {
		c.Throttle = DefaultThrottle
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// check reports a configuration error.
func (c Config) check() error {
	switch c.Registration {
	case RegistrationClosed, RegistrationOpen:
	default:
		return fmt.Errorf("auth: WEBOS_AUTH_REGISTRATION is %q: want %q or %q", c.Registration, RegistrationOpen, RegistrationClosed)
	}
	return nil
}

// parsePrefixes parses addresses and CIDR prefixes.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("auth: trusted proxy %q: want an IP address or CIDR prefix", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
