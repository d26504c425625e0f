package afs

// Test hooks, set by the tests of package afs_test. Each returns a
// function that removes the hook again.

// SetHookBeforePlace calls fn with the destination key just before a file
// is put in place on a disk source (the step after every check).
func SetHookBeforePlace(fn func(key string)) func() {
	hookBeforePlace = fn
	return func() { hookBeforePlace = nil }
}

// SetHookWritten calls fn with the key a copy has written, before the copy
// is verified.
func SetHookWritten(fn func(key string)) func() {
	hookWritten = fn
	return func() { hookWritten = nil }
}

// SetHookInGroup calls fn in each worker goroutine of a folder copy or a
// recursive delete, with the key it works on.
func SetHookInGroup(fn func(key string)) func() {
	hookInGroup = fn
	return func() { hookInGroup = nil }
}
