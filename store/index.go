package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/webos-go/webos/store/internal/query"
)

// Index declares an index of a collection. Declared indexes are created by
// EnsureIndexes of the collection or of its [DB]. An index whose keys are a
// query's sort keys — with the query's equality conditions first — lets
// both databases read a page without sorting: declare {"-created_at"} for
// "newest first", {"created_by", "-created_at"} for "a user's newest".
type Index struct {
	// Keys lists the indexed fields in order, each ascending or, prefixed
	// with "-", descending. More than one makes a compound index.
	Keys []string
	// Unique refuses a second document with the same key values: the
	// insert, update or replace fails with [ErrConflict].
	Unique bool
	// Sparse leaves out documents that lack the indexed fields, so that a
	// unique sparse index allows any number of them.
	Sparse bool
	// Name is the index name; "" derives one from the keys.
	Name string
}

// compile checks ix against the schema and returns the engine's form.
func (ix Index) compile(s *schema) (query.Index, error) {
	if len(ix.Keys) == 0 {
		return query.Index{}, errors.New("index without keys")
	}
	q := query.Index{Name: ix.Name, Unique: ix.Unique, Sparse: ix.Sparse}
	var name strings.Builder
	for _, k := range ix.Keys {
		sk, err := parseKey(k)
		if err != nil {
			return query.Index{}, err
		}
		for _, o := range q.Keys {
			if o.Field == sk.Field {
				return query.Index{}, fmt.Errorf("index field %q given twice", sk.Field)
			}
		}
		kind, err := s.lookup(sk.Field)
		if err != nil {
			return query.Index{}, fmt.Errorf("index: %w", err)
		}
		if kind == kindDoc || kind == kindDocArray {
			return query.Index{}, fmt.Errorf("index: field %q holds documents: index its fields", sk.Field)
		}
		if kind == kindArray && ix.Unique {
			return query.Index{}, fmt.Errorf("index: field %q holds an array: a unique index on it is not supported", sk.Field)
		}
		q.Keys = append(q.Keys, sk)
		q.Array = append(q.Array, kind == kindArray)
		if name.Len() > 0 {
			name.WriteByte('_')
		}
		name.WriteString(sk.Field)
		if sk.Desc {
			name.WriteString("_-1")
		} else {
			name.WriteString("_1")
		}
	}
	if q.Name == "" {
		q.Name = name.String()
	}
	return q, nil
}

// leadsWith reports whether one of the indexes has field as its first key,
// so that it serves queries on that field.
func leadsWith(indexes []Index, field string) bool {
	for _, ix := range indexes {
		if len(ix.Keys) > 0 && (ix.Keys[0] == field || ix.Keys[0] == "-"+field || ix.Keys[0] == "+"+field) {
			return true
		}
	}
	return false
}
