#!/usr/bin/env bash
# test.sh is `make test`: gofmt and vet, then every test — unit and
# integration — under the race detector against real servers on 127.0.0.1,
# which it starts first and stops afterwards (scripts/with-services.sh).
#
# Environment: PKGS (default ./...), TESTFLAGS (default
# "-race -count=1 -timeout 30m -p 2").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PKGS=${PKGS:-./...}
TESTFLAGS=${TESTFLAGS:--race -count=1 -timeout 30m -p 2}
start=$SECONDS

bash scripts/lint.sh
echo "==> lint passed in $((SECONDS - start))s" >&2

t=$SECONDS
# shellcheck disable=SC2086 # TESTFLAGS and PKGS are word lists
bash scripts/with-services.sh go test $TESTFLAGS $PKGS
echo "==> tests passed in $((SECONDS - t))s (make test: $((SECONDS - start))s)" >&2
