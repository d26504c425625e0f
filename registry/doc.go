// Package registry is a typed service registry: the application registers an
// implementation under an interface type, and any module gets it back by that
// type — without importing the implementation's package.
//
// The key is the type argument itself, so there are no string names to
// mistype and no reflection on the caller's side:
//
//	reg := registry.New()
//	registry.Register[Mailer](reg, smtpMailer)   // in main
//	m, err := registry.Get[Mailer](reg)          // in a module
//
// Registering again under the same type replaces the previous value, which is
// how a test swaps in a double. A missing service is an error that names the
// type, never a nil value.
package registry
