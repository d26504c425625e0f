package webos

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"time"
)

// ConfigEntry is one configuration value as an administrator sees it:
// which variable sets it, its value — never a secret's — and where the
// value came from.
type ConfigEntry struct {
	// Variable is the environment variable, e.g. "WEBOS_ADDR".
	Variable string `json:"variable"`
	// Field is the Go field's path in the configuration struct.
	Field string `json:"field"`
	// Value is the value in text form. A [Secret] shows as "[redacted]"
	// when it is set and "" when not; its value never leaves the process.
	Value string `json:"value"`
	// Default is the value used when the variable is not set.
	Default string `json:"default,omitempty"`
	// Secret reports whether the value is a secret.
	Secret bool `json:"secret,omitempty"`
	// Source is "environment", the name of the .env file that set it, or
	// "default".
	Source string `json:"source"`
}

// Sources of a [ConfigEntry].
const (
	SourceEnvironment = "environment"
	SourceDefault     = "default"
)

var (
	secretType   = reflect.TypeFor[Secret]()
	durationType = reflect.TypeFor[time.Duration]()
)

// DescribeConfig lists the values of cfg, a struct filled by [Load] (such
// as [Config] or a module's configuration), one entry per `env` tag, with
// the source of each as Load would pick it from the process environment
// and envFiles (".env" when none are given). Secrets are masked.
func DescribeConfig(cfg any, envFiles ...string) ([]ConfigEntry, error) {
	v := reflect.ValueOf(cfg)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("config: DescribeConfig needs a struct, got %T", cfg)
	}
	if len(envFiles) == 0 {
		envFiles = []string{".env"}
	}
	fromFile := map[string]string{} // variable → the first file that sets it
	for _, name := range envFiles {
		vars, err := ReadEnvFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for k := range vars {
			if _, seen := fromFile[k]; !seen {
				fromFile[k] = name
			}
		}
	}
	var out []ConfigEntry
	describeFields(v, EnvPrefix, "", fromFile, &out)
	return out, nil
}

func describeFields(v reflect.Value, prefix, path string, fromFile map[string]string, out *[]ConfigEntry) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		name, hasEnv := f.Tag.Lookup("env")
		name, _, _ = strings.Cut(name, ",")
		if !hasEnv || name == "" {
			if f.Type.Kind() == reflect.Struct && f.Type != durationType {
				describeFields(fv, prefix+f.Tag.Get("envPrefix"), path+f.Name+".", fromFile, out)
			}
			continue
		}
		variable := prefix + name
		e := ConfigEntry{Variable: variable, Field: path + f.Name, Default: f.Tag.Get("envDefault"), Source: SourceDefault}
		e.Secret = f.Type == secretType || f.Type.Kind() == reflect.Slice && f.Type.Elem() == secretType
		if _, ok := os.LookupEnv(variable); ok {
			e.Source = SourceEnvironment
		} else if file, ok := fromFile[variable]; ok {
			e.Source = file
		}
		e.Value = formatConfigValue(fv, e.Secret)
		if e.Secret && e.Default != "" {
			e.Default = Secret(e.Default).String()
		}
		*out = append(*out, e)
	}
}

// formatConfigValue writes a configuration value as text; secrets masked.
func formatConfigValue(v reflect.Value, secret bool) string {
	if secret {
		if v.Kind() == reflect.Slice {
			if v.Len() == 0 {
				return ""
			}
			return fmt.Sprintf("%d × %s", v.Len(), Secret("x").String())
		}
		return Secret(v.String()).String()
	}
	switch {
	case v.Type() == durationType:
		return time.Duration(v.Int()).String()
	case v.Kind() == reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fmt.Sprint(v.Index(i).Interface())
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v.Interface())
}
