package registry

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

type greeter interface{ Greet() string }

type english struct{}

func (english) Greet() string { return "hello" }

type fake struct{ msg string }

func (f *fake) Greet() string { return f.msg }

func TestRoundTrip(t *testing.T) {
	r := New()
	Register[greeter](r, english{})
	g, err := Get[greeter](r)
	if err != nil {
		t.Fatal(err)
	}
	if g.Greet() != "hello" {
		t.Fatalf("got %q", g.Greet())
	}
}

func TestIdentityPreserved(t *testing.T) {
	r := New()
	f := &fake{msg: "x"}
	Register[greeter](r, f)
	g, _ := Get[greeter](r)
	if g.(*fake) != f {
		t.Fatal("Get returned a different value than registered")
	}
}

func TestMissingNamesType(t *testing.T) {
	var r Registry // zero value works
	_, err := Get[greeter](&r)
	if !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("err = %v, want ErrNotRegistered", err)
	}
	if !strings.Contains(err.Error(), "registry.greeter") {
		t.Fatalf("error %q does not name the type", err)
	}
}

func TestSwapInDouble(t *testing.T) {
	r := New()
	Register[greeter](r, english{})
	Register[greeter](r, &fake{msg: "double"})
	if g := MustGet[greeter](r); g.Greet() != "double" {
		t.Fatalf("got %q, want the double", g.Greet())
	}
	Unregister[greeter](r)
	if _, err := Get[greeter](r); err == nil {
		t.Fatal("still registered after Unregister")
	}
}

func TestDistinctTypes(t *testing.T) {
	r := New()
	Register[greeter](r, english{})
	Register[*fake](r, &fake{msg: "concrete"})
	if got := MustGet[*fake](r).Greet(); got != "concrete" {
		t.Fatalf("got %q", got)
	}
	if got := MustGet[greeter](r).Greet(); got != "hello" {
		t.Fatalf("got %q", got)
	}
	if got := r.Types(); len(got) != 2 {
		t.Fatalf("Types() = %v", got)
	}
}

func TestNilPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for nil")
		}
	}()
	Register[greeter](New(), nil)
}

func TestConcurrent(t *testing.T) {
	r := New()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go func() { defer wg.Done(); Register[greeter](r, english{}) }()
		go func() { defer wg.Done(); _, _ = Get[greeter](r) }()
	}
	wg.Wait()
}
