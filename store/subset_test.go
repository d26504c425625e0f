package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store"
)

// TestSubset guards the query and update operators the package
// documentation promises to work the same on MongoDB and FerretDB.
func TestSubset(t *testing.T) {
	db := newDB(t)
	notes := store.NewCollection[Note](db, "notes", store.Index{Keys: []string{"title"}})
	ctx := as("alice")
	if err := notes.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 5, 6, 7, 8, 9, 123_456_789, time.UTC)
	seed := []*Note{
		{Title: "apple", N: 3, Tags: []string{"fruit", "red"}, Due: due, Meta: &Meta{Color: "red"}},
		{Title: "banana", N: 1, Tags: []string{"fruit", "yellow"}},
		{Title: "Cherry", N: 2, Tags: []string{"fruit", "red"}},
		{Title: "date", N: 2},
		{Title: "eggplant", N: 5, Tags: []string{"vegetable"}, Meta: &Meta{Color: "purple"}},
	}
	for _, n := range seed {
		if err := notes.Insert(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	titles := func(filter any, o store.FindOptions) []string {
		t.Helper()
		got, err := notes.Find(ctx, filter, o)
		if err != nil {
			t.Fatalf("Find(%v, %+v): %v", filter, o, err)
		}
		s := make([]string, len(got))
		for i, n := range got {
			s[i] = n.Title
		}
		return s
	}
	byTitle := store.FindOptions{Sort: []string{"title"}}
	cases := []struct {
		name   string
		filter any
		o      store.FindOptions
		want   []string
	}{
		{"sort asc (binary order)", nil, byTitle, []string{"Cherry", "apple", "banana", "date", "eggplant"}},
		{"sort desc then asc", nil, store.FindOptions{Sort: []string{"-n", "title"}}, []string{"eggplant", "apple", "Cherry", "date", "banana"}},
		{"skip and limit", nil, store.FindOptions{Sort: []string{"title"}, Skip: 1, Limit: 2}, []string{"apple", "banana"}},
		{"equality", bson.M{"n": 2}, byTitle, []string{"Cherry", "date"}},
		{"$eq", bson.M{"title": bson.M{"$eq": "date"}}, byTitle, []string{"date"}},
		{"$in", bson.M{"title": bson.M{"$in": bson.A{"apple", "date", "zzz"}}}, byTitle, []string{"apple", "date"}},
		{"$nin", bson.M{"title": bson.M{"$nin": bson.A{"apple", "date"}}}, byTitle, []string{"Cherry", "banana", "eggplant"}},
		{"$ne", bson.M{"n": bson.M{"$ne": 2}}, byTitle, []string{"apple", "banana", "eggplant"}},
		{"$gt $lte", bson.M{"n": bson.M{"$gt": 1, "$lte": 3}}, byTitle, []string{"Cherry", "apple", "date"}},
		{"$regex prefix", bson.M{"title": bson.M{"$regex": "^[a-c]"}}, byTitle, []string{"apple", "banana"}},
		{"$regex case-insensitive", bson.M{"title": bson.M{"$regex": "^c", "$options": "i"}}, byTitle, []string{"Cherry"}},
		{"$or", bson.M{"$or": bson.A{bson.M{"n": 5}, bson.M{"title": "banana"}}}, byTitle, []string{"banana", "eggplant"}},
		{"$and", bson.M{"$and": bson.A{bson.M{"n": bson.M{"$gte": 2}}, bson.M{"tags": "red"}}}, byTitle, []string{"Cherry", "apple"}},
		{"array contains", bson.M{"tags": "red"}, byTitle, []string{"Cherry", "apple"}},
		{"$all", bson.M{"tags": bson.M{"$all": bson.A{"fruit", "yellow"}}}, byTitle, []string{"banana"}},
		{"$size", bson.M{"tags": bson.M{"$size": 1}}, byTitle, []string{"eggplant"}},
		{"$exists false", bson.M{"tags": bson.M{"$exists": false}}, byTitle, []string{"date"}},
		{"dot notation", bson.M{"meta.color": "purple"}, byTitle, []string{"eggplant"}},
		{"$elemMatch on scalars", bson.M{"tags": bson.M{"$elemMatch": bson.M{"$in": bson.A{"yellow", "vegetable"}}}}, byTitle, []string{"banana", "eggplant"}},
		{"time range", bson.M{"due": bson.M{"$gte": due.Add(-time.Second), "$lt": due.Add(time.Second)}}, byTitle, []string{"apple"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := titles(c.filter, c.o); !slices.Equal(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}

	if n, err := notes.Count(ctx, bson.M{"tags": "fruit"}); err != nil || n != 3 {
		t.Fatalf("count = %d, %v; want 3", n, err)
	}

	// Times come back in UTC at millisecond precision.
	got, err := notes.FindOne(ctx, bson.M{"title": "apple"})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Due.Equal(due.Truncate(time.Millisecond)) || got.Due.Location() != time.UTC {
		t.Fatalf("due = %v, want %v", got.Due, due.Truncate(time.Millisecond))
	}

	// Update operators.
	id := got.ID
	up, err := notes.Apply(ctx, id, store.Change{
		Set:      bson.M{"meta.color": "green", "body": "crisp"},
		Inc:      bson.M{"n": 10},
		Push:     bson.M{"tags": "sweet"},
		AddToSet: nil,
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.N != 13 || up.Body != "crisp" || up.Meta == nil || up.Meta.Color != "green" || !slices.Equal(up.Tags, []string{"fruit", "red", "sweet"}) {
		t.Fatalf("after $set/$inc/$push: %+v", up)
	}
	up, err = notes.Apply(ctx, id, store.Change{AddToSet: bson.M{"tags": "red"}})
	if err != nil || !slices.Equal(up.Tags, []string{"fruit", "red", "sweet"}) {
		t.Fatalf("$addToSet of a present value: %+v, %v", up, err)
	}
	up, err = notes.Apply(ctx, id, store.Change{Pull: bson.M{"tags": "red"}, Unset: []string{"body", "meta"}})
	if err != nil || !slices.Equal(up.Tags, []string{"fruit", "sweet"}) || up.Body != "" || up.Meta != nil {
		t.Fatalf("$pull/$unset: %+v, %v", up, err)
	}
	// A struct as the set document.
	up, err = notes.Update(ctx, id, struct {
		Title string `bson:"title"`
		N     int    `bson:"n"`
	}{"apricot", 0})
	if err != nil || up.Title != "apricot" || up.N != 0 {
		t.Fatalf("struct $set: %+v, %v", up, err)
	}
	if err := context.Cause(ctx); err != nil {
		t.Fatal(err)
	}
}
