package store

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
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
}

var schemas sync.Map // reflect.Type → *schema

// schemaOf returns the schema of struct type t, built once.
func schemaOf(t reflect.Type) *schema {
	if s, ok := schemas.Load(t); ok {
		return s.(*schema)
	}
	s := &schema{fields: map[string]fieldKind{}}
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
