#!/usr/bin/env bash
# lint.sh fails when a Go file is not gofmt-formatted, `go vet` reports a
# problem, or one of the security checks of scripts/security.sh fails
# (govulncheck, staticcheck, gosec). Go runs as the toolchain go.mod names
# unless GOTOOLCHAIN is set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z ${GOTOOLCHAIN:-} ]]; then
	tc=$(sed -n 's/^toolchain[[:space:]]\{1,\}\(go[0-9.]*\)[[:space:]]*$/\1/p' go.mod)
	if [[ -n $tc ]]; then export GOTOOLCHAIN=$tc; fi
fi

echo "==> gofmt -l" >&2
unformatted=$(find . \( -path ./.git -o -path ./.cache -o -path ./data -o -name node_modules -o -name testdata \) -prune \
	-o -type f -name '*.go' -print0 | xargs -0 -r gofmt -l)
if [[ -n $unformatted ]]; then
	echo "these files need gofmt -w:" >&2
	printf '%s\n' "$unformatted" >&2
	exit 1
fi

echo "==> go vet ./...  ($(go env GOVERSION))" >&2
go vet ./...

bash scripts/security.sh
