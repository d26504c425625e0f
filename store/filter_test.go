package store

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/webos-go/webos"
)

func TestToDoc(t *testing.T) {
	type byStruct struct {
		Title string `bson:"title"`
		N     int    `bson:"n,omitempty"`
	}
	tests := []struct {
		name string
		in   any
		want bson.D
	}{
		{"nil", nil, bson.D{}},
		{"bson.D", bson.D{{Key: "b", Value: 1}, {Key: "a", Value: 2}}, bson.D{{Key: "b", Value: 1}, {Key: "a", Value: 2}}},
		{"bson.M sorted", bson.M{"b": 1, "a": 2}, bson.D{{Key: "a", Value: 2}, {Key: "b", Value: 1}}},
		{"map[string]any", map[string]any{"z": true, "y": "x"}, bson.D{{Key: "y", Value: "x"}, {Key: "z", Value: true}}},
		{"map[string]string", map[string]string{"k": "v"}, bson.D{{Key: "k", Value: "v"}}},
		{"struct", byStruct{Title: "t"}, bson.D{{Key: "title", Value: "t"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toDoc(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("toDoc = %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := toDoc("not a document"); err == nil {
		t.Fatal("toDoc(string): no error")
	}
}

func TestToDocDoesNotAlias(t *testing.T) {
	in := make(bson.D, 1, 4)
	in[0] = bson.E{Key: "a", Value: 1}
	d, _ := toDoc(in)
	_ = ownerFilter(d, "alice")
	if got := in[:2][1]; got.Key != "" {
		t.Fatalf("caller's filter was changed: %v", in[:2])
	}
}

func TestOwnerFilter(t *testing.T) {
	owner := bson.E{Key: "created_by", Value: "bob"}
	tests := []struct {
		name string
		in   bson.D
		want bson.D
	}{
		{"empty", bson.D{}, bson.D{owner}},
		{"plain", bson.D{{Key: "title", Value: "x"}}, bson.D{{Key: "title", Value: "x"}, owner}},
		{
			"$or stays ANDed",
			bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "created_by", Value: "alice"}}, bson.D{{Key: "x", Value: 1}}}}},
			bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "created_by", Value: "alice"}}, bson.D{{Key: "x", Value: 1}}}}, owner},
		},
		{
			"created_by in filter goes under $and",
			bson.D{{Key: "created_by", Value: "alice"}},
			bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "created_by", Value: "alice"}}, bson.D{owner}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ownerFilter(tt.in, "bob")
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ownerFilter = %v, want %v", got, tt.want)
			}
			// The owner clause is a top-level conjunct exactly once.
			n := 0
			for _, e := range got {
				if e.Key == "created_by" {
					n++
				}
			}
			if n > 1 {
				t.Fatalf("created_by appears %d times at top level", n)
			}
		})
	}
}

func TestKeySpec(t *testing.T) {
	got, err := keySpec([]string{"-created_at", "title", "+n", "a.b"})
	if err != nil {
		t.Fatal(err)
	}
	want := bson.D{{Key: "created_at", Value: -1}, {Key: "title", Value: 1}, {Key: "n", Value: 1}, {Key: "a.b", Value: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("keySpec = %v, want %v", got, want)
	}
	for _, bad := range [][]string{{""}, {"-"}, {"$where"}, {"a..b"}, {".a"}, {"a."}, {"x", "-x"}} {
		if _, err := keySpec(bad); err == nil {
			t.Errorf("keySpec(%q): no error", bad)
		}
	}
}

func TestChangeUpdate(t *testing.T) {
	audit := bson.D{{Key: "updated_by", Value: "u"}}
	u, err := Change{
		Set:   bson.M{"title": "t"},
		Unset: []string{"old"},
		Inc:   bson.M{"n": 1},
		Push:  bson.M{"tags": "x"},
	}.update(audit)
	if err != nil {
		t.Fatal(err)
	}
	want := bson.D{
		{Key: "$set", Value: bson.D{{Key: "title", Value: "t"}, {Key: "updated_by", Value: "u"}}},
		{Key: "$unset", Value: bson.D{{Key: "old", Value: ""}}},
		{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}},
		{Key: "$push", Value: bson.D{{Key: "tags", Value: "x"}}},
	}
	if !reflect.DeepEqual(u, want) {
		t.Fatalf("update = %v\nwant %v", u, want)
	}
}

func TestChangeRefusesManagedFields(t *testing.T) {
	for _, ch := range []Change{
		{Set: bson.M{"created_by": "mallory"}},
		{Set: bson.M{"_id": "other"}},
		{Set: bson.M{"created_at.x": 1}},
		{Set: bson.M{"updated_at": 1}},
		{Unset: []string{"created_by"}},
		{Inc: bson.M{"updated_by": 1}},
		{Set: bson.M{"$where": "1"}},
		{Set: bson.M{"": 1}},
		{AddToSet: bson.M{"a..b": 1}},
	} {
		if _, err := ch.update(nil); err == nil {
			t.Errorf("%+v: no error", ch)
		}
	}
	// A field that merely starts like a managed one is fine.
	if _, err := (Change{Set: bson.M{"created_by_name": "x", "meta.created_by": "y"}}).update(nil); err != nil {
		t.Fatal(err)
	}
}

func TestErrorKinds(t *testing.T) {
	pgDup := mongo.CommandError{Code: 1, Name: "InternalError", Message: `[collection.go:218 postgresql.(*collection).UpdateAll.func1] ERROR: duplicate key value violates unique constraint "notes_title_idx" (SQLSTATE 23505)`}
	sqliteDup := mongo.CommandError{Code: 1, Name: "InternalError", Message: "constraint failed: UNIQUE constraint failed: notes._ferretdb_title (2067)"}
	e11000 := mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key error collection: db.notes"}}}
	otherInternal := mongo.CommandError{Code: 1, Name: "InternalError", Message: "something else"}
	badValue := mongo.CommandError{Code: 2, Name: "BadValue", Message: "unknown operator: $foo"}

	tests := []struct {
		name   string
		err    error
		kind   error
		status int
	}{
		{"no documents", mongo.ErrNoDocuments, webos.ErrNotFound, 404},
		{"E11000", e11000, webos.ErrConflict, 409},
		{"PostgreSQL unique violation", pgDup, webos.ErrConflict, 409},
		{"SQLite unique violation", sqliteDup, webos.ErrConflict, 409},
		{"disconnected", mongo.ErrClientDisconnected, webos.ErrUnavailable, 503},
		{"bad value", badValue, webos.ErrBadRequest, 400},
		{"other internal", otherInternal, nil, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrap("update", "notes", fmt.Errorf("driver: %w", tt.err))
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Fatalf("errors.Is(%v, %v) = false", err, tt.kind)
			}
			if got := webos.StatusOf(err); got != tt.status {
				t.Fatalf("StatusOf(%v) = %d, want %d", err, got, tt.status)
			}
			var se mongo.ServerError
			if !errors.Is(err, tt.err) && !errors.As(err, &se) {
				t.Fatalf("the driver error is not reachable from %v", err)
			}
			if !strings.HasPrefix(err.Error(), "store: update notes") {
				t.Fatalf("text %q", err)
			}
		})
	}
	if err := wrap("x", "y", nil); err != nil {
		t.Fatalf("wrap(nil) = %v", err)
	}
}

func TestErrorTextHidesServerDetail(t *testing.T) {
	err := wrap("insert", "notes", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key error collection: secretdb.notes"}}})
	if got, want := err.Error(), "store: insert notes: conflict: duplicate key"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, ErrConflict) {
		t.Fatal("not ErrConflict")
	}
}
