package settings

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos"
)

type limits struct {
	Max int `json:"max" validate:"min=1"`
}

type testSettings struct {
	Title   string        `json:"title" validate:"required,max=10" desc:"The title"`
	Size    int           `json:"size" validate:"min=1,max=100"`
	Ratio   float64       `json:"ratio"`
	On      bool          `json:"on"`
	Wait    time.Duration `json:"wait"`
	Tags    []string      `json:"tags"`
	Limits  limits        `json:"limits"`
	Dir     string        `json:"dir" settings:"locked"`
	Hidden  string        `json:"-"`
	private int
}

func defaults() testSettings {
	return testSettings{Title: "t", Size: 10, Ratio: 0.5, Wait: time.Second, Tags: []string{"a"}, Limits: limits{Max: 3}, Dir: "/data", private: 1}
}

func fieldsOf(err error) map[string]string {
	var ve *webos.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	return ve.Fields
}

func TestForFields(t *testing.T) {
	s := schemaFor(defaults())
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
	want := []struct {
		key, typ string
		def      any
		locked   bool
	}{
		{"title", TypeString, "t", false},
		{"size", TypeInteger, int64(10), false},
		{"ratio", TypeNumber, 0.5, false},
		{"on", TypeBoolean, false, false},
		{"wait", TypeDuration, int64(time.Second), false},
		{"tags", TypeList, []any{"a"}, false},
		{"limits", TypeObject, map[string]any{"max": float64(3)}, false},
		{"dir", TypeString, "/data", true},
	}
	fs := s.Fields()
	if len(fs) != len(want) {
		t.Fatalf("fields %+v", fs)
	}
	for i, w := range want {
		f := fs[i]
		if f.Key != w.key || f.Type != w.typ || !reflect.DeepEqual(f.Default, w.def) || f.Locked != w.locked {
			t.Errorf("field %d = %+v, want %+v", i, f, w)
		}
	}
	if fs[0].Description != "The title" || fs[0].Validate != "required,max=10" {
		t.Errorf("title field %+v", fs[0])
	}
}

func TestForErrors(t *testing.T) {
	type dotted struct {
		A string `json:"a.b"`
	}
	type embedded struct{ limits }
	type dup struct {
		X string
		B string `json:"X"`
	}
	for name, s := range map[string]Schema{
		"not struct":       schemaFor(3),
		"dotted key":       schemaFor(dotted{}),
		"embedded":         schemaFor(embedded{}),
		"repeated key":     schemaFor(dup{}),
		"invalid default":  schemaFor(testSettings{Size: 1}), // title required
		"lock unknown":     schemaFor(defaults()).Lock("nope"),
		"override unknown": schemaFor(defaults()).Override(map[string]any{"nope": 1}),
		"override type":    schemaFor(defaults()).Override(map[string]any{"size": "big"}),
		"override invalid": schemaFor(defaults()).Override(map[string]any{"size": 1000}),
	} {
		if s.Err() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestLockAndOverride(t *testing.T) {
	base := schemaFor(defaults())
	s := base.Lock("size").Override(map[string]any{"title": "env"})
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
	f, _ := s.field("title")
	if !f.Locked || f.Default != "env" {
		t.Errorf("title %+v", f)
	}
	if f, _ := base.field("title"); f.Locked || f.Default != "t" {
		t.Errorf("Override changed the original schema: %+v", f)
	}
	err := s.Check(map[string]any{"size": 5, "title": "x", "ratio": 1.0})
	got := fieldsOf(err)
	if len(got) != 2 || got["size"] == "" || got["title"] == "" {
		t.Errorf("Check: %v", err)
	}
	// Stored values of locked keys are ignored.
	vals := s.resolve(s.clean(map[string]any{"title": "stored", "size": int64(7), "ratio": 2.0}))
	if vals["title"] != "env" || vals["size"] != int64(10) || vals["ratio"] != 2.0 {
		t.Errorf("resolve %v", vals)
	}
}

func TestApply(t *testing.T) {
	s := schemaFor(defaults())
	set, unset, err := s.apply(map[string]any{"size": int64(5)}, map[string]any{
		"title": "new", "size": nil, "ratio": 2, "on": true, "wait": "1m", "tags": []any{"x", "y"},
		"limits": map[string]any{"max": 9.0},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"title": "new", "ratio": 2.0, "on": true, "wait": int64(time.Minute),
		"tags": []any{"x", "y"}, "limits": map[string]any{"max": float64(9)}}
	if !reflect.DeepEqual(set, want) {
		t.Errorf("set = %#v", set)
	}
	if !reflect.DeepEqual(unset, []string{"size"}) {
		t.Errorf("unset = %v", unset)
	}

	for name, tc := range map[string]struct {
		patch map[string]any
		field string
	}{
		"unknown":        {map[string]any{"nope": 1}, "nope"},
		"locked":         {map[string]any{"dir": "/x"}, "dir"},
		"wrong type":     {map[string]any{"size": "ten"}, "size"},
		"fraction":       {map[string]any{"size": 1.5}, "size"},
		"bool":           {map[string]any{"on": "yes"}, "on"},
		"bad duration":   {map[string]any{"wait": "soon"}, "wait"},
		"unknown nested": {map[string]any{"limits": map[string]any{"min": 1}}, "limits"},
		"rule":           {map[string]any{"size": 101}, "size"},
		"required":       {map[string]any{"title": ""}, "title"},
		"nested rule":    {map[string]any{"limits": map[string]any{"max": 0}}, "limits.max"},
	} {
		_, _, err := s.apply(nil, tc.patch)
		if !errors.Is(err, webos.ErrInvalid) || fieldsOf(err)[tc.field] == "" {
			t.Errorf("%s: err = %v, want a problem with %q", name, err, tc.field)
		}
	}
	if _, _, err := s.apply(nil, map[string]any{}); !errors.Is(err, webos.ErrBadRequest) {
		t.Errorf("empty patch: %v", err)
	}
}

func TestCleanDropsStaleValues(t *testing.T) {
	s := schemaFor(defaults())
	got := s.clean(map[string]any{"size": "not a number", "gone": 1, "title": "ok", "ratio": int64(3)})
	if !reflect.DeepEqual(got, map[string]any{"title": "ok", "ratio": 3.0}) {
		t.Errorf("clean = %#v", got)
	}
}

func TestNormalize(t *testing.T) {
	in := bson.M{"a": bson.D{{Key: "x", Value: int32(1)}}, "b": bson.A{int32(2), bson.M{"y": "z"}}}
	want := map[string]any{"a": map[string]any{"x": int64(1)}, "b": []any{int64(2), map[string]any{"y": "z"}}}
	if got := plainMap(in); !reflect.DeepEqual(got, want) {
		t.Errorf("plainMap = %#v", got)
	}
}

func TestCapability(t *testing.T) {
	caps := webos.Capabilities(providerModule{})
	found := false
	for _, c := range caps {
		found = found || c == "settings"
	}
	if !found {
		t.Errorf("capabilities %v lack settings", caps)
	}
}

type providerModule struct{}

func (providerModule) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "p"} }
func (providerModule) Settings() Schema             { return schemaFor(defaults()) }
