#!/usr/bin/env bash
# with-services.sh runs a command with the integration-test servers up and
# their WEBOS_TEST_* variables exported, then stops the services that this
# run started — also when the command fails or is interrupted. Services that
# were already running (e.g. from `make services-up`) are used and left running.
#
#   scripts/with-services.sh go test ./...
#   WEBOS_SERVICES="postgres redis" scripts/with-services.sh go test ./tasks/...
#
# WEBOS_SERVICES names the services to bring up (default: all; see
# scripts/services.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVICES=("bash" "$ROOT/scripts/services.sh")

(($#)) || {
	echo "usage: scripts/with-services.sh COMMAND [ARG...]" >&2
	exit 2
}

record=$(mktemp "${TMPDIR:-/tmp}/webos-services.XXXXXX")

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -s $record ]]; then
		# shellcheck disable=SC2046 # one service name per line
		"${SERVICES[@]}" down $(<"$record") || echo "with-services: stopping services failed" >&2
	fi
	rm -f "$record"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck disable=SC2086 # a list of names
"${SERVICES[@]}" up --record "$record" ${WEBOS_SERVICES:-}
eval "$("${SERVICES[@]}" env)"
"$@"
