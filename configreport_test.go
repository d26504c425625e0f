package webos

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDescribeConfig(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, ".env")
	if err := os.WriteFile(envFile, []byte("WEBOS_MONGO_DB=fromfile\nWEBOS_REDIS_URL=redis://:hunter2@cache:6379/0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WEBOS_ADDR", "127.0.0.1:9999")
	t.Setenv("WEBOS_SECRET_KEYS", "k1-secret-value,k2-secret-value")
	cfg, err := LoadConfig(envFile)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := DescribeConfig(cfg, envFile)
	if err != nil {
		t.Fatal(err)
	}
	byVar := map[string]ConfigEntry{}
	for _, e := range entries {
		byVar[e.Variable] = e
	}
	check := func(variable, value, source string, secret bool) {
		t.Helper()
		e, ok := byVar[variable]
		if !ok || e.Value != value || e.Source != source || e.Secret != secret {
			t.Errorf("%s: %+v, want value %q from %s (secret %v)", variable, e, value, source, secret)
		}
	}
	check("WEBOS_ADDR", "127.0.0.1:9999", SourceEnvironment, false)
	check("WEBOS_MONGO_DB", "fromfile", envFile, false)
	check("WEBOS_REDIS_URL", "[redacted]", envFile, true)
	check("WEBOS_MONGO_URL", "", SourceDefault, true)
	check("WEBOS_SECRET_KEYS", "2 × [redacted]", SourceEnvironment, true)
	check("WEBOS_REQUEST_TIMEOUT", "30s", SourceDefault, false)
	check("WEBOS_LOG_LEVEL", "info", SourceDefault, false)
	if e := byVar["WEBOS_LOG_LEVEL"]; e.Default != "info" || e.Field != "LogLevel" {
		t.Errorf("log level entry %+v", e)
	}
	for _, e := range entries {
		for _, secret := range []string{"hunter2", "k1-secret", "k2-secret"} {
			if strings.Contains(e.Value+e.Default, secret) {
				t.Fatalf("%s shows a secret: %+v", e.Variable, e)
			}
		}
	}
	if _, err := DescribeConfig(42); err == nil {
		t.Fatal("described an int")
	}
}
