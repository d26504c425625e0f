#!/usr/bin/env bash
# lint.sh fails when a Go file is not gofmt-formatted or `go vet` reports a
# problem.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==> gofmt -l" >&2
unformatted=$(find . \( -path ./.git -o -path ./.cache -o -path ./data -o -name node_modules -o -name testdata \) -prune \
	-o -type f -name '*.go' -print0 | xargs -0 -r gofmt -l)
if [[ -n $unformatted ]]; then
	echo "these files need gofmt -w:" >&2
	printf '%s\n' "$unformatted" >&2
	exit 1
fi

echo "==> go vet ./..." >&2
go vet ./...
