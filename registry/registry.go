package registry

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
)

// ErrNotRegistered is returned (wrapped, naming the type) by [Get] when no
// service is registered under the requested type.
var ErrNotRegistered = errors.New("registry: service not registered")

// Registry holds services keyed by type. The zero value is ready to use and
// safe for concurrent use.
type Registry struct {
	mu       sync.RWMutex
	services map[reflect.Type]any
}

// New returns an empty registry.
func New() *Registry { return &Registry{} }

// Register makes impl the service for type T, replacing any earlier one.
// T is usually an interface type; impl must not be nil.
func Register[T any](r *Registry, impl T) {
	t := reflect.TypeFor[T]()
	if v := reflect.ValueOf(&impl).Elem(); !v.IsValid() || (canNil(v.Kind()) && v.IsNil()) {
		panic(fmt.Sprintf("registry: Register[%v] with a nil value", t))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.services == nil {
		r.services = map[reflect.Type]any{}
	}
	r.services[t] = impl
}

func canNil(k reflect.Kind) bool {
	switch k {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return true
	}
	return false
}

// Get returns the service registered for type T, or an error wrapping
// [ErrNotRegistered] that names T.
func Get[T any](r *Registry) (T, error) {
	t := reflect.TypeFor[T]()
	r.mu.RLock()
	v, ok := r.services[t]
	r.mu.RUnlock()
	if !ok {
		var zero T
		return zero, fmt.Errorf("%w: %v", ErrNotRegistered, t)
	}
	return v.(T), nil
}

// MustGet is like [Get] but panics when the service is missing. Use it only
// where a missing service is a programming error, e.g. in Provision.
func MustGet[T any](r *Registry) T {
	v, err := Get[T](r)
	if err != nil {
		panic(err)
	}
	return v
}

// Unregister removes the service for type T, if any.
func Unregister[T any](r *Registry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.services, reflect.TypeFor[T]())
}

// Types lists the registered types' names, sorted.
func (r *Registry) Types() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.services))
	for t := range r.services {
		names = append(names, t.String())
	}
	slices.Sort(names)
	return names
}
