// Package scripts holds the repository's developer scripts — the logic
// behind the Makefile's targets (test.sh, lint.sh, security.sh,
// services.sh, load.sh, hooks.sh and the pre-commit hook it installs) —
// and the tests that run them. It has no Go API.
package scripts
