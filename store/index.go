package store

import (
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Index declares an index of a collection. Declared indexes are created by
// EnsureIndexes of the collection or of its [DB].
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
	// Name is the index name; "" lets the server derive one from the keys.
	Name string
}

func (ix Index) model() (mongo.IndexModel, error) {
	if len(ix.Keys) == 0 {
		return mongo.IndexModel{}, errors.New("index without keys")
	}
	keys, err := keySpec(ix.Keys)
	if err != nil {
		return mongo.IndexModel{}, err
	}
	o := options.Index()
	if ix.Unique {
		o.SetUnique(true)
	}
	if ix.Sparse {
		o.SetSparse(true)
	}
	if ix.Name != "" {
		o.SetName(ix.Name)
	}
	return mongo.IndexModel{Keys: keys, Options: o}, nil
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
