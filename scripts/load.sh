#!/usr/bin/env bash
# load.sh is `make load`: a load run against the real demo server, reported
# as a ratio against a baseline measured in the same run on the same
# machine — a bare net/http server (internal/cmd/loadbase) answering the
# same bytes. wrk (Debian) drives both.
#
# Environment: LOAD_DURATION (default 8s), LOAD_CONNECTIONS (default 32),
# WEBOS_TEST_MONGO_URL (from scripts/with-services.sh; without it the demo
# embeds its database).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${LOAD_DURATION:-8s}
CONNS=${LOAD_CONNECTIONS:-32}
STATE=.cache/load
BIN=.cache/bin
DEMO_ADDR=127.0.0.1:18091
BASE_ADDR=127.0.0.1:18090
BODY='{"message":"Hello from WebOS!"}'

if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
	echo "load: installing wrk and curl" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk curl >&2
fi
mkdir -p "$BIN"
rm -rf "$STATE" && mkdir -p "$STATE"
go build -o "$BIN/webos-demo" ./examples/cmd/webos-demo
go build -o "$BIN/loadbase" ./internal/cmd/loadbase

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

WEBOS_ADDR=$DEMO_ADDR WEBOS_DATA_DIR=$STATE/data WEBOS_LOG_LEVEL=warn \
	WEBOS_MONGO_URL=${WEBOS_TEST_MONGO_URL:-} WEBOS_MONGO_DB=load_$$ \
	"$BIN/webos-demo" >"$STATE/demo.log" 2>&1 &
pids+=($!)
"$BIN/loadbase" -listen "$BASE_ADDR" -body "$BODY" >"$STATE/base.log" 2>&1 &
pids+=($!)

wait_up() {
	for _ in $(seq 1 100); do
		curl -sf -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "load: $1 did not come up" >&2
	tail -20 "$STATE/demo.log" >&2
	exit 1
}
wait_up "http://$DEMO_ADDR/health"
wait_up "http://$BASE_ADDR/"
[[ $(curl -s "http://$DEMO_ADDR/hello/hi") == "$BODY" ]] || { echo "load: unexpected body from the demo" >&2; exit 1; }

rate() { wrk -t2 -c"$CONNS" -d"$DURATION" "$1" | awk '/Requests\/sec/ {print $2}'; }
echo "load: $CONNS connections, $DURATION each, on $(nproc) cores" >&2
base=$(rate "http://$BASE_ADDR/hello/hi")
demo=$(rate "http://$DEMO_ADDR/hello/hi")
health=$(rate "http://$DEMO_ADDR/health")
printf 'bare net/http (baseline)       %10.0f req/s\n' "$base"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf 'webos GET /hello/hi            %10.0f req/s  (%sx the baseline)\n' "$demo" "$(ratio "$demo" "$base")"
printf 'webos GET /health (all checks) %10.0f req/s  (%sx the baseline)\n' "$health" "$(ratio "$health" "$base")"
