package store

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// fieldKind is what the store knows of a field of a document type.
type fieldKind uint8

const (
	kindScalar   fieldKind = iota // strings, numbers, booleans, times, ids
	kindDoc                       // a struct: sub-fields are known
	kindArray                     // a slice or array of scalars
	kindDocArray                  // a slice or array of structs
	kindAny                       // a map, interface or bson.D/M: any sub-path goes
)

// schema maps the BSON field paths of a document type to their kinds.
type schema struct {
	fields map[string]fieldKind
	scalar map[string]scalarKind // the value class of scalar fields and array elements
}

// scalarKind is the class of values a scalar field holds, for checking
// filter values against the document type.
type scalarKind uint8

const (
	scalarOther scalarKind = iota // ids, binary data: not checked
	scalarString
	scalarNumber
	scalarBool
	scalarTime
)

func scalarOf(t reflect.Type) scalarKind {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType || (t.Kind() == reflect.Struct && t.ConvertibleTo(timeType)) {
		return scalarTime
	}
	switch t.Kind() {
	case reflect.String:
		return scalarString
	case reflect.Bool:
		return scalarBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return scalarNumber
	}
	return scalarOther
}

var schemas sync.Map // reflect.Type → *schema

// schemaOf returns the schema of struct type t, built once.
func schemaOf(t reflect.Type) *schema {
	if s, ok := schemas.Load(t); ok {
		return s.(*schema)
	}
	s := &schema{fields: map[string]fieldKind{}, scalar: map[string]scalarKind{}}
	s.walk(t, "", 0)
	v, _ := schemas.LoadOrStore(t, s)
	return v.(*schema)
}

func (s *schema) walk(t reflect.Type, prefix string, depth int) {
	if depth > 8 {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("bson")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if strings.Contains(","+opts+",", ",inline,") {
			if ft.Kind() == reflect.Struct {
				s.walk(ft, prefix, depth+1)
			} else {
				// An inline map takes any top-level key.
				s.fields[prefix+"*"] = kindAny
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		path := prefix + name
		kind := kindOfType(ft)
		s.fields[path] = kind
		switch kind {
		case kindScalar:
			s.scalar[path] = scalarOf(ft)
		case kindArray:
			s.scalar[path] = scalarOf(ft.Elem())
		}
		if kind == kindDoc {
			s.walk(ft, path+".", depth+1)
		}
	}
}

func kindOfType(t reflect.Type) fieldKind {
	switch t.Kind() {
	case reflect.Struct:
		if t == timeType || t.ConvertibleTo(timeType) {
			return kindScalar
		}
		return kindDoc
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return kindScalar // []byte is binary data
		}
		e := t.Elem()
		for e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		if e.Kind() == reflect.Struct && e != timeType {
			if t.String() == "bson.D" || t.Elem().String() == "bson.E" {
				return kindAny
			}
			return kindDocArray
		}
		return kindArray
	case reflect.Map, reflect.Interface:
		return kindAny
	}
	return kindScalar
}

// lookup returns the kind of the field at path, or an error when the type
// has no such field. A path below a map or interface field is kindAny.
func (s *schema) lookup(path string) (fieldKind, error) {
	if k, ok := s.fields[path]; ok {
		return k, nil
	}
	// Walk the parents: below a kindAny field anything goes.
	for i := len(path) - 1; i > 0; i-- {
		if path[i] != '.' {
			continue
		}
		k, ok := s.fields[path[:i]]
		if !ok {
			continue
		}
		switch k {
		case kindAny:
			return kindAny, nil
		case kindDocArray, kindArray:
			return 0, fmt.Errorf("field path %q reaches into an array", path)
		}
		break
	}
	if _, ok := s.fields["*"]; ok {
		return kindAny, nil
	}
	return 0, fmt.Errorf("unknown field %q", path)
}

// checkValue reports whether v, a normalised filter value, may be compared
// with the field at path: a string with a string field, a number with a
// number field, and so on. nil compares with every field.
func (s *schema) checkValue(path string, v any) error {
	want, ok := s.scalar[path]
	if !ok || want == scalarOther || v == nil {
		return nil
	}
	var got scalarKind
	switch v.(type) {
	case string:
		got = scalarString
	case int32, int64, float64:
		got = scalarNumber
	case bool:
		got = scalarBool
	case bson.DateTime:
		got = scalarTime
	default:
		return nil
	}
	if got != want {
		return fmt.Errorf("field %q holds %s, not %s", path, want, got)
	}
	return nil
}

func (k scalarKind) String() string {
	switch k {
	case scalarString:
		return "strings"
	case scalarNumber:
		return "numbers"
	case scalarBool:
		return "booleans"
	case scalarTime:
		return "times"
	}
	return "values"
}
