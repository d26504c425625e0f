package webos

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// EnvPrefix is the prefix of every environment variable the kernel reads.
const EnvPrefix = "WEBOS_"

// Config is the kernel's configuration. [LoadConfig] fills it from the
// environment and an optional .env file; every field has a default under
// which the zero-setup demo runs.
type Config struct {
	// Env is "development" (text logs) or "production" (JSON logs).
	Env string `env:"ENV" envDefault:"development" validate:"oneof=development production"`
	// Addr is the HTTP listen address.
	Addr string `env:"ADDR" envDefault:"127.0.0.1:8080" validate:"required"`
	// BaseURL is the public URL of the server; derived from Addr when empty.
	BaseURL string `env:"BASE_URL"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LOG_LEVEL" envDefault:"info" validate:"oneof=debug info warn error"`
	// LogFormat is text or json; empty follows Env.
	LogFormat string `env:"LOG_FORMAT" validate:"omitempty,oneof=text json"`
	// DataDir holds the embedded services' data (embedded database, files).
	DataDir string `env:"DATA_DIR" envDefault:"./data" validate:"required"`
	// MongoURL is a MongoDB connection string; empty keeps the data in the
	// embedded SQLite store in DataDir (one process only).
	MongoURL Secret `env:"MONGO_URL"`
	// MongoDatabase is the database name.
	MongoDatabase string `env:"MONGO_DB" envDefault:"webos" validate:"required"`
	// RedisURL is a Redis connection string; empty runs in-process stand-ins.
	RedisURL Secret `env:"REDIS_URL"`
	// SecretKeys sign and encrypt cookies: comma-separated, newest first, so
	// keys can be rotated. Empty generates a key at start-up (sessions then
	// end with the process).
	SecretKeys []Secret `env:"SECRET_KEYS"`
	// MaxBodyBytes limits request bodies unless a route sets its own limit.
	MaxBodyBytes int64 `env:"MAX_BODY_BYTES" envDefault:"10485760" validate:"gt=0"`
	// RequestTimeout bounds a request's context unless a route opts out
	// (streams) or sets its own.
	RequestTimeout time.Duration `env:"REQUEST_TIMEOUT" envDefault:"30s" validate:"gt=0"`
	// ShutdownTimeout bounds the whole shutdown on SIGINT/SIGTERM: draining
	// in-flight requests first, then stopping the modules with the time
	// that is left (see [App.Run]).
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"15s" validate:"gt=0"`
	// ReadHeaderTimeout bounds reading a request's line and headers (zero:
	// [DefaultReadHeaderTimeout]).
	ReadHeaderTimeout time.Duration `env:"READ_HEADER_TIMEOUT" envDefault:"10s" validate:"gte=0"`
	// IdleTimeout is how long a kept-alive connection may wait for its next
	// request (zero: [DefaultIdleTimeout]).
	IdleTimeout time.Duration `env:"IDLE_TIMEOUT" envDefault:"120s" validate:"gte=0"`
	// BodyIdleTimeout is how long reading a request body may wait for the
	// client's next bytes (zero: [DefaultBodyIdleTimeout]). See
	// [Config.BodyMinRate].
	BodyIdleTimeout time.Duration `env:"BODY_IDLE_TIMEOUT" envDefault:"15s" validate:"gte=0"`
	// BodyMinRate is the slowest a request body may arrive on average, in
	// bytes a second, once BodyIdleTimeout has passed (zero:
	// [DefaultBodyMinRate]; negative: only the idle timeout applies). Only
	// time spent waiting for the client counts, so a streamed upload may
	// run as long as it keeps up; a client trickling its body is cut off
	// with 408.
	BodyMinRate int64 `env:"BODY_MIN_RATE" envDefault:"1024"`
}

// Secret is a string that never appears in logs or formatted output.
type Secret string

// String hides the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// LogValue hides the value from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Reveal returns the secret value itself.
func (s Secret) Reveal() string { return string(s) }

// LogValue lets a Config be logged without its secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("env", c.Env),
		slog.String("addr", c.Addr),
		slog.String("log_level", c.LogLevel),
		slog.String("data_dir", c.DataDir),
		slog.Bool("mongo_url_set", c.MongoURL != ""),
		slog.String("mongo_db", c.MongoDatabase),
		slog.Bool("redis_url_set", c.RedisURL != ""),
		slog.Int("secret_keys", len(c.SecretKeys)),
	)
}

// Production reports whether Env is "production".
func (c Config) Production() bool { return c.Env == "production" }

// LoadConfig reads the kernel's Config. See [Load] for where values come from.
func LoadConfig(envFiles ...string) (Config, error) {
	var c Config
	err := Load(&c, envFiles...)
	return c, err
}

// Load fills cfg — any struct with `env` tags, such as [Config] or a module's
// own settings — from WEBOS_-prefixed variables and validates it with its
// `validate` tags. Precedence, highest first: the process environment, then
// the .env files in the order given (a missing file is not an error; with no
// names, ".env" in the working directory), then `envDefault` tags.
func Load(cfg any, envFiles ...string) error {
	if len(envFiles) == 0 {
		envFiles = []string{".env"}
	}
	vars := map[string]string{}
	for i := len(envFiles) - 1; i >= 0; i-- {
		fileVars, err := ReadEnvFile(envFiles[i])
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		for k, v := range fileVars {
			vars[k] = v
		}
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	if err := env.ParseWithOptions(cfg, env.Options{Prefix: EnvPrefix, Environment: vars}); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := Validate(cfg); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// ReadEnvFile parses a .env file: KEY=VALUE lines, optional `export `,
// comments starting with #, values optionally in single or double quotes
// (double quotes understand \n, \" and \\).
func ReadEnvFile(name string) (map[string]string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("config: %s:%d: want KEY=VALUE", name, n)
		}
		v = strings.TrimSpace(v)
		switch {
		case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"':
			v = strings.NewReplacer(`\n`, "\n", `\"`, `"`, `\\`, `\`).Replace(v[1 : len(v)-1])
		case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
			v = v[1 : len(v)-1]
		default:
			if i := strings.Index(v, " #"); i >= 0 {
				v = strings.TrimSpace(v[:i])
			}
		}
		vars[k] = v
	}
	return vars, sc.Err()
}
