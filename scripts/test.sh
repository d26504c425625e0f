#!/usr/bin/env bash
# test.sh is `make test`: gofmt and vet, then every test — unit and
# integration — under the race detector against real servers on 127.0.0.1,
# which it starts first and stops afterwards (scripts/with-services.sh).
#
# Environment: PKGS (default ./...), TESTFLAGS (default
# "-race -count=1 -timeout 30m -p 2").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Go runs as the toolchain go.mod names (as in lint.sh) unless GOTOOLCHAIN
# is set.
if [[ -z ${GOTOOLCHAIN:-} ]]; then
	tc=$(sed -n 's/^toolchain[[:space:]]\{1,\}\(go[0-9.]*\)[[:space:]]*$/\1/p' go.mod)
	if [[ -n $tc ]]; then export GOTOOLCHAIN=$tc; fi
fi

PKGS=${PKGS:-./...}
TESTFLAGS=${TESTFLAGS:--race -count=1 -timeout 30m -p 2}
start=$SECONDS

bash scripts/lint.sh
echo "==> lint passed in $((SECONDS - start))s" >&2

t=$SECONDS
mkdir -p .cache
log=.cache/test.log
# Verbose output goes to $log; the console gets everything but the lines of
# passing tests. Afterwards, any skipped test fails the run: with the servers
# up, every integration test must run.
set +e
# shellcheck disable=SC2086 # TESTFLAGS and PKGS are word lists
bash scripts/with-services.sh go test -v $TESTFLAGS $PKGS 2>&1 | tee "$log" |
	grep --line-buffered -Ev '^(=== (RUN|PAUSE|CONT|NAME)|\s*--- PASS|PASS$)'
status=${PIPESTATUS[0]}
set -e
if ((status != 0)); then
	echo "==> tests FAILED after $((SECONDS - t))s (full output in $log)" >&2
	exit "$status"
fi
if grep -E '^\s*--- SKIP' "$log" >&2; then
	echo "==> tests were skipped although the servers were up (see $log)" >&2
	exit 1
fi
go test -run '^$' -fuzz '^FuzzParseFilter$' -fuzztime=20s ./explorer/ # the explorer's filter parser, fuzzed briefly on every run
echo "==> tests passed in $((SECONDS - t))s (make test: $((SECONDS - start))s)" >&2
