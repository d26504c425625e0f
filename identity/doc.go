// Package identity carries the acting user in a [context.Context].
//
// It is the smallest shared notion of "who is doing this": an interface with one
// method, [User], and two functions to put it into and take it out of a context.
// The kernel's middleware, the auth package and the task worker put users in;
// owner-scoped collections in store, the event bus and the logger read them. Any
// type with a UserID method can be the user, so auth's full user record and a
// bare [Subject] in a test both work.
//
//	ctx = identity.With(ctx, identity.Subject("u-42"))
//	id := identity.ID(ctx) // "u-42"
package identity
