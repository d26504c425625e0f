package webos

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join(t.TempDir(), "missing.env"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:8080" || cfg.Env != "development" || cfg.RequestTimeout != 30*time.Second || cfg.MongoURL != "" {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
}

func TestConfigPrecedence(t *testing.T) {
	// Process environment > first .env file > second .env file > defaults.
	first := writeFile(t, "first.env", "# comment\nWEBOS_ADDR=127.0.0.1:9001\nexport WEBOS_LOG_LEVEL=debug\nWEBOS_MONGO_DB=\"from file\"\n")
	second := writeFile(t, "second.env", "WEBOS_ADDR=127.0.0.1:9002\nWEBOS_DATA_DIR='/srv/data'\nWEBOS_MONGO_DB=second\n")
	t.Setenv("WEBOS_LOG_LEVEL", "warn")
	t.Setenv("WEBOS_REQUEST_TIMEOUT", "5s")

	cfg, err := LoadConfig(first, second)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"env beats file", cfg.LogLevel, "warn"},
		{"first file beats second", cfg.Addr, "127.0.0.1:9001"},
		{"quoted value", cfg.MongoDatabase, "from file"},
		{"second file beats default", cfg.DataDir, "/srv/data"},
		{"default when unset", cfg.Env, "development"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if cfg.RequestTimeout != 5*time.Second {
		t.Errorf("duration from env: %v", cfg.RequestTimeout)
	}
}

func TestConfigValidation(t *testing.T) {
	t.Setenv("WEBOS_ENV", "staging")
	_, err := LoadConfig(filepath.Join(t.TempDir(), "none"))
	if err == nil || !strings.Contains(err.Error(), "ENV") && !strings.Contains(err.Error(), "Env") {
		t.Fatalf("want a validation error naming Env, got %v", err)
	}
	t.Setenv("WEBOS_ENV", "production")
	t.Setenv("WEBOS_REQUEST_TIMEOUT", "soon")
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Fatal("want a parse error for a bad duration")
	}
}

func TestConfigBadEnvFile(t *testing.T) {
	bad := writeFile(t, "bad.env", "NOT A PAIR\n")
	if _, err := LoadConfig(bad); err == nil || !strings.Contains(err.Error(), "bad.env:1") {
		t.Fatalf("want an error naming the file and line, got %v", err)
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	t.Setenv("WEBOS_MONGO_URL", "mongodb://admin:hunter2@db:27017")
	t.Setenv("WEBOS_SECRET_KEYS", "key-one-s3cret,key-two-s3cret")
	cfg, err := LoadConfig(filepath.Join(t.TempDir(), "none"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.SecretKeys) != 2 || cfg.SecretKeys[0].Reveal() != "key-one-s3cret" {
		t.Fatalf("secret keys not parsed: %d", len(cfg.SecretKeys))
	}
	var buf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	l.Info("config", "cfg", cfg, "url", cfg.MongoURL)
	out := buf.String() + cfg.MongoURL.String()
	for _, s := range []string{"hunter2", "s3cret"} {
		if strings.Contains(out, s) {
			t.Fatalf("secret %q leaked: %s", s, out)
		}
	}
}
