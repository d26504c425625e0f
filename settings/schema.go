package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/webos-go/webos"
)

// Field types as [Field.Type] names them.
const (
	TypeString   = "string"
	TypeInteger  = "integer"
	TypeNumber   = "number"
	TypeBoolean  = "boolean"
	TypeDuration = "duration" // a time.Duration: nanoseconds, or a string such as "1m30s" in a patch
	TypeList     = "list"
	TypeObject   = "object"
)

// Field describes one setting of a [Schema], for listings such as an admin
// console.
type Field struct {
	// Key is the setting's name: the struct field's JSON name.
	Key string `json:"key"`
	// Type is one of TypeString, TypeInteger, TypeNumber, TypeBoolean,
	// TypeDuration, TypeList or TypeObject.
	Type string `json:"type"`
	// Default is the value used while nothing is stored, in its JSON form.
	Default any `json:"default"`
	// Description comes from the field's `desc` tag.
	Description string `json:"description,omitempty"`
	// Validate is the field's `validate` tag, e.g. "min=1,max=100".
	Validate string `json:"validate,omitempty"`
	// Locked fields come from the environment or configuration: they keep
	// their default and cannot be changed through settings.
	Locked bool `json:"locked"`

	index int          // struct field index
	typ   reflect.Type // the Go type of the field
}

// Schema describes a module's settings: a Go struct type whose fields are
// the settings, with their defaults. A module gets it from its [Handle]
// ([Declare]); a Schema is an immutable value, and [Schema.Lock] and
// [Schema.Override] return changed copies. The zero Schema has no fields.
type Schema struct {
	typ      reflect.Type
	defaults reflect.Value // a T holding the defaults (and overrides)
	fields   []Field
	err      error
	bind     func(m *Module, moduleID string) // tells the Handle it came from where its values are
}

// schemaFor returns the schema of T with the given defaults. T must be a
// struct; each exported field is a setting:
//
//	type Settings struct {
//		Title    string `json:"title" validate:"required,max=80" desc:"Shown in the header"`
//		PageSize int    `json:"page_size" validate:"min=1,max=100" desc:"Posts per page"`
//		Upload   string `json:"upload_dir" settings:"locked" desc:"Set by WEBOS_BLOG_UPLOAD_DIR"`
//	}
//
// The key is the `json` name (fields tagged json:"-" are left out), values
// are checked with the `validate` tags ([webos.Validate]), `desc` describes
// the field, and `settings:"locked"` marks a field whose value comes from
// the environment or configuration: it keeps its default and is never
// changed by [Module.Set]. A T that is not a struct, a key with "." or a
// leading "$", an embedded field or defaults that fail their own
// validation make a schema whose [Schema.Err] says so; [Module.Start]
// reports it, naming the module.
func schemaFor[T any](defaults T) Schema {
	t := reflect.TypeFor[T]()
	s := Schema{typ: t}
	if t.Kind() != reflect.Struct {
		s.err = fmt.Errorf("settings: schema type %s is not a struct", t)
		return s
	}
	s.defaults = reflect.New(t).Elem()
	s.defaults.Set(reflect.ValueOf(defaults))
	seen := map[string]bool{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if sf.Anonymous {
			s.err = fmt.Errorf("settings: %s: embedded field %s is not supported", t, sf.Name)
			return s
		}
		if name == "" {
			name = sf.Name
		}
		if strings.Contains(name, ".") || strings.HasPrefix(name, "$") || seen[name] {
			s.err = fmt.Errorf("settings: %s: bad or repeated key %q", t, name)
			return s
		}
		seen[name] = true
		f := Field{
			Key:         name,
			Type:        typeName(sf.Type),
			Description: sf.Tag.Get("desc"),
			Validate:    sf.Tag.Get("validate"),
			Locked:      slices.Contains(strings.Split(sf.Tag.Get("settings"), ","), "locked"),
			index:       i,
			typ:         sf.Type,
		}
		s.fields = append(s.fields, f)
	}
	if err := s.refreshDefaults(); err != nil {
		s.err = err
	}
	return s
}

// refreshDefaults recomputes each field's Default from s.defaults and
// validates the defaults.
func (s *Schema) refreshDefaults() error {
	for i := range s.fields {
		v, err := storable(s.defaults.Field(s.fields[i].index))
		if err != nil {
			return fmt.Errorf("settings: %s: default of %q: %w", s.typ, s.fields[i].Key, err)
		}
		s.fields[i].Default = v
	}
	if err := webos.Validate(s.defaults.Addr().Interface()); err != nil {
		return fmt.Errorf("settings: %s: defaults are invalid: %w", s.typ, err)
	}
	return nil
}

func typeName(t reflect.Type) string {
	if t == reflect.TypeFor[time.Duration]() {
		return TypeDuration
	}
	switch t.Kind() {
	case reflect.String:
		return TypeString
	case reflect.Bool:
		return TypeBoolean
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return TypeInteger
	case reflect.Float32, reflect.Float64:
		return TypeNumber
	case reflect.Slice, reflect.Array:
		return TypeList
	case reflect.Pointer:
		return typeName(t.Elem())
	}
	return TypeObject
}

// Err reports why the schema is unusable, or nil.
func (s Schema) Err() error { return s.err }

// Type returns the Go struct type of the settings (nil for the zero
// Schema).
func (s Schema) Type() reflect.Type { return s.typ }

// Fields describes the settings in struct field order.
func (s Schema) Fields() []Field { return slices.Clone(s.fields) }

// field returns the field named key.
func (s Schema) field(key string) (Field, bool) {
	for _, f := range s.fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

func (s Schema) clone() Schema {
	c := s
	c.fields = slices.Clone(s.fields)
	if s.defaults.IsValid() {
		c.defaults = reflect.New(s.typ).Elem()
		c.defaults.Set(s.defaults)
	}
	return c
}

// Lock returns a copy of s in which the named settings are locked: they
// keep their default, typically taken from the module's configuration, and
// [Module.Set] refuses to change them. An unknown key makes the schema's
// [Schema.Err] say so.
func (s Schema) Lock(keys ...string) Schema {
	c := s.clone()
	for _, k := range keys {
		i := slices.IndexFunc(c.fields, func(f Field) bool { return f.Key == k })
		if i < 0 {
			c.err = errors.Join(c.err, fmt.Errorf("settings: lock: unknown key %q", k))
			continue
		}
		c.fields[i].Locked = true
	}
	return c
}

// Override returns a copy of s in which the settings named by values take
// those values and are locked — the way to apply values that came from
// the environment: they win over anything stored, and [Module.Set] refuses
// to change them. Values are given as in JSON (a string for a string
// field, a number for an integer, …). An unknown key or a value of the
// wrong type makes the schema's [Schema.Err] say so.
func (s Schema) Override(values map[string]any) Schema {
	c := s.clone()
	if c.err != nil {
		return c
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		i := slices.IndexFunc(c.fields, func(f Field) bool { return f.Key == k })
		if i < 0 {
			c.err = errors.Join(c.err, fmt.Errorf("settings: override: unknown key %q", k))
			continue
		}
		v, err := decodeField(c.fields[i], values[k])
		if err != nil {
			c.err = errors.Join(c.err, fmt.Errorf("settings: override %q: %s", k, err))
			continue
		}
		c.defaults.Field(c.fields[i].index).Set(v)
		c.fields[i].Locked = true
	}
	if c.err == nil {
		c.err = c.refreshDefaults()
	}
	return c
}

// Check validates patch against the schema's defaults without storing
// anything: see [Module.Set] for the rules.
func (s Schema) Check(patch map[string]any) error {
	_, _, err := s.apply(nil, patch)
	return err
}

// resolve returns the effective values: stored values over defaults, with
// locked fields at their defaults. stored holds only valid values.
func (s Schema) resolve(stored map[string]any) map[string]any {
	out := make(map[string]any, len(s.fields))
	for _, f := range s.fields {
		if v, ok := stored[f.Key]; ok && !f.Locked {
			out[f.Key] = v
		} else {
			out[f.Key] = f.Default
		}
	}
	return out
}

// clean keeps the stored values that still fit the schema: known,
// unlocked keys whose value decodes into the field's type.
func (s Schema) clean(stored map[string]any) map[string]any {
	out := map[string]any{}
	for _, f := range s.fields {
		raw, ok := stored[f.Key]
		if !ok || f.Locked {
			continue
		}
		rv, err := decodeField(f, normalize(raw))
		if err != nil {
			continue
		}
		if v, err := storable(rv); err == nil {
			out[f.Key] = v
		}
	}
	return out
}

// apply checks patch against stored values and returns the new stored
// values, the keys set (in storage form) and the keys reset to their
// default (null in the patch). Problems are a *webos.ValidationError naming
// each bad field.
func (s Schema) apply(stored, patch map[string]any) (set map[string]any, unset []string, err error) {
	if s.err != nil {
		return nil, nil, s.err
	}
	if len(patch) == 0 {
		return nil, nil, fmt.Errorf("%w: settings: empty patch", webos.ErrBadRequest)
	}
	bad := map[string]string{}
	set = map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(patch)) {
		f, ok := s.field(k)
		switch {
		case !ok:
			bad[k] = "unknown setting"
			continue
		case f.Locked:
			bad[k] = "is locked: its value comes from the environment or configuration"
			continue
		case patch[k] == nil:
			unset = append(unset, k)
			continue
		}
		rv, err := decodeField(f, patch[k])
		if err != nil {
			bad[k] = err.Error()
			continue
		}
		v, err := storable(rv)
		if err != nil {
			bad[k] = err.Error()
			continue
		}
		set[k] = v
	}
	if len(bad) > 0 {
		return nil, nil, &webos.ValidationError{Fields: bad}
	}
	next := maps.Clone(stored)
	if next == nil {
		next = map[string]any{}
	}
	maps.Copy(next, set)
	for _, k := range unset {
		delete(next, k)
	}
	if _, err := s.value(next); err != nil {
		return nil, nil, err
	}
	return set, unset, nil
}

// value builds a validated struct value (a pointer to the schema's type)
// from stored values.
func (s Schema) value(stored map[string]any) (reflect.Value, error) {
	p := reflect.New(s.typ)
	p.Elem().Set(s.defaults)
	for _, f := range s.fields {
		v, ok := stored[f.Key]
		if !ok || f.Locked {
			continue
		}
		rv, err := decodeField(f, v)
		if err != nil {
			return reflect.Value{}, &webos.ValidationError{Fields: map[string]string{f.Key: err.Error()}}
		}
		p.Elem().Field(f.index).Set(rv)
	}
	if err := webos.Validate(p.Interface()); err != nil {
		return reflect.Value{}, err
	}
	return p, nil
}

// decodeField converts a JSON-form value into the field's Go type.
func decodeField(f Field, v any) (reflect.Value, error) {
	if f.Type == TypeDuration {
		if str, ok := v.(string); ok {
			d, err := time.ParseDuration(str)
			if err != nil {
				return reflect.Value{}, errors.New("must be a duration such as \"1m30s\" or a number of nanoseconds")
			}
			return reflect.ValueOf(d).Convert(f.typ), nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("must be %s", article(f.Type))
	}
	p := reflect.New(f.typ)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p.Interface()); err != nil {
		return reflect.Value{}, fmt.Errorf("must be %s", article(f.Type))
	}
	return p.Elem(), nil
}

func article(typ string) string {
	switch typ {
	case TypeInteger, TypeObject:
		return "an " + typ
	case TypeDuration:
		return "a duration such as \"1m30s\" or a number of nanoseconds"
	}
	return "a " + typ
}

// storable returns rv in the form stored in the database and shown as
// JSON: int64, float64, bool or string for scalars; maps and slices of
// those for the rest.
func storable(rv reflect.Value) (any, error) {
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > 1<<63-1 {
			return nil, errors.New("is too large")
		}
		return int64(rv.Uint()), nil // #nosec G115 -- values above MaxInt64 are refused just above
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	}
	b, err := json.Marshal(rv.Interface())
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}
