#!/usr/bin/env bash
# load.sh is `make load`, the load suite: the demo server (examples/cmd/
# webos-demo) against PocketBase v0.36.8 (a benchmark peer built from
# internal/bench/pocketbase, never an SDK dependency) and a bare net/http
# baseline (internal/cmd/loadbase), all driven by wrk on this machine in
# one run, in alternating rounds.
#
# Both servers get the same records through their public HTTP APIs only —
# the script does not know or care which database is behind the demo. The
# results go to artifacts/load/<UTC time>/ (results.md, results.json,
# chart.svg, the raw wrk reports, run.log and the servers' logs) and are
# copied to artifacts/load/latest.{md,json,svg}. Every server it started is
# stopped and its temporary data deleted when it ends, also on failure or
# Ctrl-C.
#
# Environment (defaults in brackets):
#   LOAD_DURATION [15s]   length of one wrk run
#   LOAD_ROUNDS [3]       rounds; the table shows medians. Round 2, 4, ...
#                         runs the cases in reverse order.
#   LOAD_CONNECTIONS [64] wrk connections (the 1 MiB downloads use
#   LOAD_DOWNLOAD_CONNECTIONS [16]; the list case also runs at 1)
#   LOAD_TIMEOUT [10s]    wrk --timeout: a slower answer counts as a timeout
#   LOAD_RECORDS [10000]  records seeded into each server
#   LOAD_COLD_STARTS [5]  restarts timed from exec to /health 200
#   LOAD_SOAK [60s]       the soak: a mixed authenticated workload on the demo
#   LOAD_SOAK_CONNECTIONS [256]   alone, restarted after the other cases, their
#                         RSS figures and the cold starts; 0 errors wanted,
#                         RSS before, after a 10 s warm-up and after.
#                         LOAD_SOAK=0 skips it.
#   LOAD_PORT [18090]     baseline port; the demo uses +1, PocketBase +2
#   LOAD_OUT [artifacts/load]
#   WEBOS_TOOLS_DIR [$HOME/.cache/webos-tools/bin]  where the PocketBase
#                         binary is cached (built once, ~1 min cold)
#
# A quick check: LOAD_DURATION=3s LOAD_ROUNDS=1 make load
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

DURATION=${LOAD_DURATION:-15s}
ROUNDS=${LOAD_ROUNDS:-3}
CONNS=${LOAD_CONNECTIONS:-64}
DL_CONNS=${LOAD_DOWNLOAD_CONNECTIONS:-16}
TIMEOUT=${LOAD_TIMEOUT:-10s}
RECORDS=${LOAD_RECORDS:-10000}
COLD_RUNS=${LOAD_COLD_STARTS:-5}
SOAK=${LOAD_SOAK:-60s}
SOAK_CONNS=${LOAD_SOAK_CONNECTIONS:-256}
PORT=${LOAD_PORT:-18090}
OUT=${LOAD_OUT:-artifacts/load}
TOOLS=${WEBOS_TOOLS_DIR:-${HOME:-/root}/.cache/webos-tools/bin}
PB_VERSION=v0.36.8

BASE=127.0.0.1:$PORT
DEMO=127.0.0.1:$((PORT + 1))
PB=127.0.0.1:$((PORT + 2))
ADMIN_EMAIL=load-admin@example.com
ADMIN_PASSWORD=load-admin-password-1
PB_SU_EMAIL=load-superuser@example.com
PB_SU_PASSWORD=load-superuser-password-1
PB_USER_EMAIL=load-user@example.com
PB_USER_PASSWORD=load-user-password-1

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN=$OUT/$STAMP
mkdir -p "$RUN/raw"
RUN=$(cd "$RUN" && pwd)
PLAN=$RUN/plan.tsv
: >"$PLAN"

log() { printf 'load: %s\n' "$*" | tee -a "$RUN/run.log" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}

# ---------------------------------------------------------------- clean-up

WORK=$(mktemp -d "${TMPDIR:-/tmp}/webos-load.XXXXXX")
BIN=$WORK/bin
pids=()
WRK_PID=""
stop_servers() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[[ -z $WRK_PID ]] || kill "$WRK_PID" 2>/dev/null || true
	stop_servers
	# Keep the servers' logs with the results; the data goes.
	for f in "$WORK"/demo/demo.log "$WORK"/pb/pb.log "$WORK"/base/base.log; do
		[[ -f $f ]] && cp "$f" "$RUN/" 2>/dev/null
	done
	rm -rf "$WORK"
	((rc == 0)) || log "failed (exit $rc); logs of this run are in $RUN"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools

need=()
for t in wrk curl jq; do command -v "$t" >/dev/null || need+=("$t"); done
if ((${#need[@]})); then
	log "installing ${need[*]} (Debian)"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >&2
fi

for hp in "$BASE" "$DEMO" "$PB"; do
	if curl -s -o /dev/null --max-time 1 "http://$hp/"; then
		die "something already answers on $hp; set LOAD_PORT to another port"
	fi
done

mkdir -p "$BIN"
log "building the demo, the baseline and loadtool"
go build -o "$BIN/webos-demo" ./examples/cmd/webos-demo
go build -o "$BIN/loadbase" ./internal/cmd/loadbase
go build -o "$BIN/loadtool" ./internal/bench/loadtool
LOADTOOL=$BIN/loadtool

# ensure_pocketbase builds internal/bench/pocketbase into the shared tools
# folder unless a build of PB_VERSION is already there.
PBBIN=$TOOLS/pocketbase
ensure_pocketbase() {
	grep -q "github.com/pocketbase/pocketbase $PB_VERSION\$" internal/bench/pocketbase/go.mod ||
		die "internal/bench/pocketbase/go.mod does not require PocketBase $PB_VERSION"
	local info="" t0=$SECONDS
	if [[ -x $PBBIN ]]; then info=$(go version -m "$PBBIN" 2>/dev/null) || info=""; fi
	if [[ $info =~ [[:space:]]dep[[:space:]]+github.com/pocketbase/pocketbase[[:space:]]+${PB_VERSION}[[:space:]] ]]; then
		return 0
	fi
	log "building PocketBase $PB_VERSION into $TOOLS (once per machine; about a minute cold)"
	mkdir -p "$TOOLS"
	(cd internal/bench/pocketbase && GOWORK=off CGO_ENABLED=0 go build -trimpath -o "$PBBIN.tmp.$$" .) ||
		die "building PocketBase failed"
	mv -f "$PBBIN.tmp.$$" "$PBBIN"
	log "PocketBase built in $((SECONDS - t0))s"
}
ensure_pocketbase

# ---------------------------------------------------------------- servers

# The demo runs with its zero-setup defaults (in-process database, bus and
# files in a fresh data folder), in a folder without a .env file.
DEMO_ENV=(env -u WEBOS_MONGO_URL -u WEBOS_REDIS_URL -u WEBOS_AFS_SOURCES -u WEBOS_ENV
	WEBOS_ADDR="$DEMO" WEBOS_DATA_DIR="$WORK/demo/data" WEBOS_LOG_LEVEL=warn
	WEBOS_ADMIN_EMAIL="$ADMIN_EMAIL" WEBOS_ADMIN_PASSWORD="$ADMIN_PASSWORD")
PB_DIR=$WORK/pb/data
mkdir -p "$WORK/demo" "$WORK/pb" "$WORK/base"

wait_up() { # URL PID LOG
	local i
	for i in $(seq 1 300); do
		curl -sf -o /dev/null --max-time 2 "$1" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$3" >&2 || true
	die "$1 did not come up (log: $3)"
}

log "starting the demo on $DEMO and PocketBase on $PB"
(cd "$WORK/demo" && exec "${DEMO_ENV[@]}" "$BIN/webos-demo") >"$WORK/demo/demo.log" 2>&1 &
DEMO_PID=$!
pids+=("$DEMO_PID")
"$PBBIN" superuser upsert "$PB_SU_EMAIL" "$PB_SU_PASSWORD" --dir "$PB_DIR" >"$WORK/pb/pb.log" 2>&1 ||
	die "pocketbase superuser upsert failed: $(cat "$WORK/pb/pb.log")"
"$PBBIN" serve --http "$PB" --dir "$PB_DIR" >>"$WORK/pb/pb.log" 2>&1 &
PB_PID=$!
pids+=("$PB_PID")
wait_up "http://$DEMO/health" "$DEMO_PID" "$WORK/demo/demo.log"
wait_up "http://$PB/api/health" "$PB_PID" "$WORK/pb/pb.log"

# api METHOD URL [CURL-ARGS...] prints the body of a 2xx answer, else dies.
api() {
	local method=$1 url=$2 out code
	shift 2
	out=$WORK/api.out
	code=$(curl -s -o "$out" -w '%{http_code}' -X "$method" "$@" "$url") || code=000
	[[ $code == 2* ]] || die "$method $url answered $code: $(head -c 400 "$out")"
	cat "$out"
}
json() { api "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3" "${@:4}"; }

# --- demo: sign in (token and cookie), one 1 MiB file, the records
login_hdr=$WORK/demo/login.headers
login=$(json POST "http://$DEMO/auth/login" "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\",\"token\":true}" -D "$login_hdr")
DEMO_TOKEN=$(jq -r .token <<<"$login")
DEMO_ADMIN_ID=$(jq -r .user.id <<<"$login")
DEMO_COOKIE=$(tr -d '\r' <"$login_hdr" | sed -n 's/^[Ss]et-[Cc]ookie: *\([^;]*\).*/\1/p' | head -1)
[[ -n $DEMO_TOKEN && $DEMO_TOKEN != null && -n $DEMO_COOKIE ]] || die "the demo's /auth/login gave no token or cookie"
DEMO_STORE=$(curl -s -H "Authorization: Bearer $DEMO_TOKEN" "http://$DEMO/health/details" | jq -r '.checks // {} | keys | join(", ")')

BLOB=$WORK/blob.bin
head -c 1048576 /dev/urandom >"$BLOB"
api PUT "http://$DEMO/api/fs/files/local/load/blob.bin" -H "Authorization: Bearer $DEMO_TOKEN" \
	-H 'Content-Type: application/octet-stream' --data-binary "@$BLOB" >/dev/null

log "seeding $RECORDS greetings into the demo"
DEMO_SEED=$("$LOADTOOL" seed -url "http://$DEMO/hello/greetings" -n "$RECORDS" -c 16 -body '{"name":"greeting %d"}')
log "demo: $DEMO_SEED"

# --- PocketBase: collections, a user, one 1 MiB file, the records
SU_TOKEN=$(json POST "http://$PB/api/collections/_superusers/auth-with-password" \
	"{\"identity\":\"$PB_SU_EMAIL\",\"password\":\"$PB_SU_PASSWORD\"}" | jq -r .token)
su=(-H "Authorization: $SU_TOKEN")
# posts: a text field and the autodate created/updated fields, listable,
# viewable and creatable by anyone — the demo's greetings need no sign-in
# either. The index on created matches the demo's index on created_at.
json POST "http://$PB/api/collections" '{
  "name": "posts", "type": "base", "listRule": "", "viewRule": "", "createRule": "",
  "fields": [
    {"name": "title", "type": "text", "required": true},
    {"name": "created", "type": "autodate", "onCreate": true},
    {"name": "updated", "type": "autodate", "onCreate": true, "onUpdate": true}
  ],
  "indexes": ["CREATE INDEX idx_posts_created ON posts (created)"]
}' "${su[@]}" >/dev/null
json POST "http://$PB/api/collections" '{
  "name": "files", "type": "base", "viewRule": "@request.auth.id != \"\"",
  "fields": [{"name": "doc", "type": "file", "maxSelect": 1, "maxSize": 2097152, "protected": true}]
}' "${su[@]}" >/dev/null
json POST "http://$PB/api/collections/users/records" \
	"{\"email\":\"$PB_USER_EMAIL\",\"password\":\"$PB_USER_PASSWORD\",\"passwordConfirm\":\"$PB_USER_PASSWORD\"}" "${su[@]}" >/dev/null
pb_login=$(json POST "http://$PB/api/collections/users/auth-with-password" \
	"{\"identity\":\"$PB_USER_EMAIL\",\"password\":\"$PB_USER_PASSWORD\"}")
PB_TOKEN=$(jq -r .token <<<"$pb_login")
PB_USER_ID=$(jq -r .record.id <<<"$pb_login")
pb_file=$(api POST "http://$PB/api/collections/files/records" "${su[@]}" -F "doc=@$BLOB;filename=blob.bin")
PB_FILE_URL="http://$PB/api/files/files/$(jq -r .id <<<"$pb_file")/$(jq -r .doc <<<"$pb_file")"
pb_file_token() { api POST "http://$PB/api/files/token" -H "Authorization: $PB_TOKEN" | jq -r .token; }

log "seeding $RECORDS posts into PocketBase"
PB_SEED=$("$LOADTOOL" seed -url "http://$PB/api/collections/posts/records" -n "$RECORDS" -c 16 -body '{"title":"post %d"}')
log "pocketbase: $PB_SEED"
PB_POST_ID=$(api GET "http://$PB/api/collections/posts/records?perPage=1&sort=-created&skipTotal=1" | jq -r '.items[0].id')

# --- the baseline serves the launchpad's bytes and the same file
curl -s -o "$WORK/base/page.html" -H "Cookie: $DEMO_COOKIE" "http://$DEMO/"
"$BIN/loadbase" -listen "$BASE" -body '{"message":"Hello from WebOS!"}' -page "$WORK/base/page.html" -file "$BLOB" \
	>"$WORK/base/base.log" 2>&1 &
BASE_PID=$!
pids+=("$BASE_PID")
wait_up "http://$BASE/" "$BASE_PID" "$WORK/base/base.log"
[[ $(curl -s "http://$DEMO/hello/hi") == "$(curl -s "http://$BASE/hello/hi")" ]] ||
	die "the baseline's /hello/hi differs from the demo's"

# ---------------------------------------------------------------- the plan

M_IDS=() CREATE_IDS=()
declare -A M_URL M_CONNS M_HDR M_BODY
# add ID SERVER CONNS WHAT URL [HEADER [POST-BODY]]: one measured request.
# It is tried once with curl first: it must answer 2xx, and the size of
# that answer is what the report expects wrk to see on average.
add() {
	local id=$1 server=$2 conns=$3 what=$4 url=$5 hdr=${6:-} body=${7:-} args=() res code hsize bsize
	M_URL[$id]=$url M_CONNS[$id]=$conns M_HDR[$id]=$hdr M_BODY[$id]=$body
	[[ -n $hdr ]] && args+=(-H "$hdr")
	if [[ -n $body ]]; then
		args+=(-X POST -H 'Content-Type: application/json' --data-binary "$body")
		CREATE_IDS+=("$id")
		{
			echo 'wrk.method = "POST"'
			echo "wrk.body = [[$body]]"
			echo 'wrk.headers["Content-Type"] = "application/json"'
		} >"$WORK/$id.lua"
	else
		M_IDS+=("$id")
	fi
	res=$(curl -s -o /dev/null -w '%{http_code} %{size_header} %{size_download}' "${args[@]}" "$(resolve_url "$url")")
	read -r code hsize bsize <<<"$res"
	[[ $code == 2* ]] || die "$id: $what answered $code before the run"
	printf 'M\t%s\t%s\t%s\t%s\t%s\n' "$id" "$server" "$what" "$conns" "$((hsize + bsize))" >>"$PLAN"
}
# resolve_url puts a fresh PocketBase file token (valid for minutes) into URL.
resolve_url() {
	if [[ $1 == *'{filetoken}'* ]]; then
		printf '%s' "${1//\{filetoken\}/$(pb_file_token)}"
	else
		printf '%s' "$1"
	fi
}
row() { printf 'R\t%s\t%s\t%s\n' "$1" "$2" "$3" >>"$PLAN"; }
setting() { printf 'S\t%s\t%s\n' "$1" "$2" >>"$PLAN"; }

D=http://$DEMO P=http://$PB B=http://$BASE
bearer="Authorization: Bearer $DEMO_TOKEN"
cookie="Cookie: $DEMO_COOKIE"
pbtok="Authorization: $PB_TOKEN"
list_pb="$P/api/collections/posts/records?perPage=20&sort=-created"

add base_hi net/http "$CONNS" "GET /hello/hi (fixed bytes)" "$B/hello/hi"
add demo_hi webos "$CONNS" "GET /hello/hi" "$D/hello/hi"
add demo_hi_bearer webos "$CONNS" "GET /hello/hi, bearer token" "$D/hello/hi" "$bearer"
add demo_hi_cookie webos "$CONNS" "GET /hello/hi, session cookie" "$D/hello/hi" "$cookie"
add demo_me_bearer webos "$CONNS" "GET /auth/me, bearer token" "$D/auth/me" "$bearer"
add demo_me_cookie webos "$CONNS" "GET /auth/me, session cookie" "$D/auth/me" "$cookie"
add pb_me pocketbase "$CONNS" "GET /api/collections/users/records/{own id}, token" "$P/api/collections/users/records/$PB_USER_ID" "$pbtok"
add demo_page webos "$CONNS" "GET / (launchpad), session cookie" "$D/" "$cookie"
add base_page net/http "$CONNS" "GET /page (the launchpad's bytes)" "$B/page"
add demo_health webos "$CONNS" "GET /health" "$D/health"
add pb_health pocketbase "$CONNS" "GET /api/health" "$P/api/health"
add demo_dl webos "$DL_CONNS" "GET /api/fs/files/local/load/blob.bin (1 MiB), bearer token" "$D/api/fs/files/local/load/blob.bin" "$bearer"
add base_dl net/http "$DL_CONNS" "GET /download (1 MiB, http.ServeFile)" "$B/download"
add pb_dl pocketbase "$DL_CONNS" "GET /api/files/files/{id}/{name} (1 MiB, protected), file token" "$PB_FILE_URL?token={filetoken}"
for c in 1 "$CONNS"; do
	add "demo_list_c$c" webos "$c" "GET /hello/greetings?limit=20" "$D/hello/greetings?limit=20"
	add "pb_list_total_c$c" pocketbase "$c" "GET /api/collections/posts/records?perPage=20&sort=-created" "$list_pb"
	add "pb_list_skip_c$c" pocketbase "$c" "GET /api/collections/posts/records?perPage=20&sort=-created&skipTotal=1" "$list_pb&skipTotal=1"
done
add demo_view webos "$CONNS" "GET /auth/users/{id}, bearer token" "$D/auth/users/$DEMO_ADMIN_ID" "$bearer"
add pb_view_anon pocketbase "$CONNS" "GET /api/collections/posts/records/{id}" "$P/api/collections/posts/records/$PB_POST_ID"
add pb_view_token pocketbase "$CONNS" "GET /api/collections/posts/records/{id}, token" "$P/api/collections/posts/records/$PB_POST_ID" "$pbtok"
add demo_create webos "$CONNS" "POST /hello/greetings" "$D/hello/greetings" "" '{"name":"load"}'
add pb_create pocketbase "$CONNS" "POST /api/collections/posts/records" "$P/api/collections/posts/records" "" '{"title":"load"}'

n=$RECORDS
row "fixed JSON, anonymous" demo_hi base_hi
row "fixed JSON, bearer token" demo_hi_bearer base_hi
row "fixed JSON, bearer token vs the same route anonymous" demo_hi_bearer demo_hi
row "fixed JSON, session cookie vs the same route anonymous" demo_hi_cookie demo_hi
row "/auth/me, bearer vs PB own user record, token" demo_me_bearer pb_me
row "/auth/me, cookie vs PB own user record, token" demo_me_cookie pb_me
row "launchpad GET /, cookie vs the same bytes" demo_page base_page
row "/health vs PB /api/health" demo_health pb_health
row "1 MiB download, token, c$DL_CONNS vs http.ServeFile" demo_dl base_dl
row "1 MiB download, token, c$DL_CONNS vs PB file, token" demo_dl pb_dl
for c in 1 "$CONNS"; do
	row "list newest 20 of $n, c$c vs PB with total" "demo_list_c$c" "pb_list_total_c$c"
	row "list newest 20 of $n, c$c vs PB skipTotal=1" "demo_list_c$c" "pb_list_skip_c$c"
done
row "view one (a user by id), token vs PB anonymous" demo_view pb_view_anon
row "view one (a user by id), token vs PB token" demo_view pb_view_token
row "create, c$CONNS" demo_create pb_create

# ---------------------------------------------------------------- the runs

cpu_ticks() { # user+system CPU ticks of the servers
	local p sum=0 t
	for p in "${pids[@]}"; do
		t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
		sum=$((sum + ${t:-0}))
	done
	echo "$sum"
}
# settle ID ROUND (ROUND "" records nothing) waits until the servers are idle (under ~10% of a core),
# so that a server still working off a backlog — requests wrk gave up on,
# logs it has yet to write — does not slow the next case; at most 3
# minutes. The report shows how long that took.
settle() {
	local halves=0 a b
	a=$(cpu_ticks)
	while ((halves < 360)); do
		sleep 0.5
		b=$(cpu_ticks)
		((b - a <= 5)) && break
		a=$b
		halves=$((halves + 1))
	done
	[[ -z $2 ]] || printf 'B\t%s\t%s\t%s.%s\n' "$1" "$2" "$((halves / 2))" "$((halves % 2 * 5))" >>"$PLAN"
	((halves < 4)) || log "  the servers were busy for $((halves / 2))s after $1"
}

run_one() { # ID ROUND
	local id=$1 round=$2 conns=${M_CONNS[$1]} args out rps
	args=(-t"$((conns < 2 ? conns : 2))" -c"$conns" -d"$DURATION" --timeout "$TIMEOUT" --latency)
	[[ -n ${M_HDR[$id]} ]] && args+=(-H "${M_HDR[$id]}")
	[[ -n ${M_BODY[$id]} ]] && args+=(-s "$WORK/$id.lua")
	out=$RUN/raw/$id.$round.txt
	# wrk stops on SIGINT and exits 0, so the shell would not see a Ctrl-C
	# that reached it: waiting for it in the background lets the INT trap
	# run at once.
	wrk "${args[@]}" "$(resolve_url "${M_URL[$id]}")" >"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID" || true
	WRK_PID=""
	rps=$(awk '/^Requests\/sec/ {print $2}' "$out")
	log "  round $round $id: ${rps:-no result} req/s$(awk '/Socket errors|Non-2xx/ {printf "; %s", $0}' "$out")"
	settle "$id" "$round"
}

reverse() { local i; for ((i = $# ; i > 0; i--)); do printf '%s\n' "${!i}"; done; }
in_order() { # ROUND ID...: the IDs, reversed in even rounds
	local round=$1
	shift
	if ((round % 2)); then printf '%s\n' "$@"; else reverse "$@"; fi
}

t_runs=$SECONDS
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "${#M_IDS[@]} read cases and ${#CREATE_IDS[@]} create cases, $ROUNDS round(s) of $DURATION each, wrk --timeout $TIMEOUT"
# Creating records changes what the list cases read, so every round of
# the read cases runs first, then the rounds of the create cases.
for ((r = 1; r <= ROUNDS; r++)); do
	log "round $r of $ROUNDS: reads"
	while read -r id; do run_one "$id" "$r"; done < <(in_order "$r" "${M_IDS[@]}")
done
for ((r = 1; r <= ROUNDS; r++)); do
	log "round $r of $ROUNDS: creates"
	while read -r id; do run_one "$id" "$r"; done < <(in_order "$r" "${CREATE_IDS[@]}")
done
log "runs took $((SECONDS - t_runs))s"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- servers' figures

mem() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || true; }
server_figures() { # NAME PID
	kill -0 "$2" 2>/dev/null || log "WARNING: $1 is not running any more (see its log in $RUN)"
	printf 'X\t%s\trss_kb\t%s\n' "$1" "$(mem "$2" VmRSS)" >>"$PLAN"
	printf 'X\t%s\thwm_kb\t%s\n' "$1" "$(mem "$2" VmHWM)" >>"$PLAN"
}
server_figures webos "$DEMO_PID"
server_figures pocketbase "$PB_PID"
server_figures net/http "$BASE_PID"
demo_count=$(curl -s "$D/hello/" | jq -r .greetings 2>/dev/null) || demo_count="?"
pb_count=$(curl -s "$list_pb&perPage=1" | jq -r .totalItems 2>/dev/null) || pb_count="?"

# ---------------------------------------------------------------- soak

# soak runs a mixed authenticated workload on the demo alone, restarted on
# the run's data after the cold starts (so that neither they nor the RSS
# figures of the other cases see its records) — the signed-in
# user's own account, a JSON route and a list with a token, notes listed
# and written, the launchpad with the session cookie, /health — at
# SOAK_CONNS connections for SOAK, after a 10 s warm-up. Every answer must
# be 2xx; the demo's RSS is taken before, after the warm-up and after.
soak() {
	local lua=$WORK/soak.lua out=$RUN/raw/soak.txt warm=$RUN/raw/soak-warmup.txt rss0 rss1 rss2 rps errs lat
	cat >"$lua" <<LUA
local reqs = {}
local i = 0
init = function(args)
	local host = wrk.headers["Host"] or "$DEMO"
	local bearer = {["Host"] = host, ["Authorization"] = "Bearer $DEMO_TOKEN"}
	local cookie = {["Host"] = host, ["Cookie"] = "$DEMO_COOKIE"}
	local post = {["Host"] = host, ["Authorization"] = "Bearer $DEMO_TOKEN", ["Content-Type"] = "application/json"}
	reqs = {
		wrk.format("GET", "/auth/me", bearer),
		wrk.format("GET", "/hello/hi", bearer),
		wrk.format("GET", "/notes/list", bearer),
		wrk.format("GET", "/", cookie),
		wrk.format("POST", "/notes/", post, '{"title":"soak"}'),
		wrk.format("GET", "/hello/greetings?limit=20", bearer),
		wrk.format("GET", "/auth/me", cookie),
		wrk.format("GET", "/health", {["Host"] = host}),
	}
end
request = function()
	i = i + 1
	return reqs[(i % #reqs) + 1]
end
LUA
	rss0=$(mem "$DEMO_PID" VmRSS)
	log "soak: warm-up 10s at c$SOAK_CONNS"
	wrk -t2 -c"$SOAK_CONNS" -d10s --timeout "$TIMEOUT" -s "$lua" "$D" >"$warm" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID" || true
	settle soak-warmup ""
	rss1=$(mem "$DEMO_PID" VmRSS)
	log "soak: $SOAK at c$SOAK_CONNS, mixed authenticated workload"
	wrk -t2 -c"$SOAK_CONNS" -d"$SOAK" --timeout "$TIMEOUT" --latency -s "$lua" "$D" >"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID" || true
	WRK_PID=""
	settle soak ""
	rss2=$(mem "$DEMO_PID" VmRSS)
	rps=$(awk '/^Requests\/sec/ {print $2}' "$out")
	errs=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$out")
	lat=$(awk '/^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2} END {print "p50 " p50 ", p99 " p99}' "$out")
	local total
	total=$(awk '/requests in/ {print $1}' "$out")
	log "soak: ${rps:-?} req/s, $total requests, $errs errors, $lat; RSS $((rss0 / 1024)) MiB before, $((rss1 / 1024)) MiB after the warm-up, $((rss2 / 1024)) MiB after"
	SOAK_LINE="$SOAK at $SOAK_CONNS connections, mixed authenticated workload (8 requests in turn: /auth/me with token and with cookie, /hello/hi and the greetings list with a token, notes listed and created, the launchpad with the cookie, /health) on the demo alone, restarted after the other cases and the cold starts: ${rps:-?} req/s, $total requests, **$errs errors** (non-2xx and socket errors), $lat; demo RSS $((rss0 / 1024)) MiB before, $((rss1 / 1024)) MiB after a 10 s warm-up, $((rss2 / 1024)) MiB after"
	((errs == 0)) || log "WARNING: the soak saw $errs errors (see $out)"
}
stop_servers

log "timing $COLD_RUNS restarts of each server on its data (exec to /health 200)"
cold() { # NAME URL LOG -- COMMAND...: record the median
	local name=$1 url=$2 logf=$3 res
	shift 4
	res=$("$LOADTOOL" coldstart -url "$url" -runs "$COLD_RUNS" -log "$logf" -dir "$WORK/demo" -- "$@")
	log "  $name: $res"
	printf 'X\t%s\tcold_start_ms\t%s\n' "$name" "$(sed -n 's/.*median_ms=\([^ ]*\).*/\1/p' <<<"$res")" >>"$PLAN"
	printf 'X\t%s\tcold_start_runs_ms\t%s\n' "$name" "$(sed -n 's/.*runs_ms=\([^ ]*\).*/\1/p' <<<"$res")" >>"$PLAN"
}
cold webos "$D/health" "$WORK/demo/demo.log" -- "${DEMO_ENV[@]}" "$BIN/webos-demo"
cold pocketbase "$P/api/health" "$WORK/pb/pb.log" -- "$PBBIN" serve --http "$PB" --dir "$PB_DIR"

if [[ $SOAK != 0 ]]; then
	# The demo again, on the run's data, signed in afresh (its cookie keys
	# are made at start-up).
	log "starting the demo again for the soak"
	(cd "$WORK/demo" && exec "${DEMO_ENV[@]}" "$BIN/webos-demo") >>"$WORK/demo/demo.log" 2>&1 &
	DEMO_PID=$!
	pids+=("$DEMO_PID")
	wait_up "http://$DEMO/health" "$DEMO_PID" "$WORK/demo/demo.log"
	login=$(json POST "http://$DEMO/auth/login" "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\",\"token\":true}" -D "$login_hdr")
	DEMO_TOKEN=$(jq -r .token <<<"$login")
	DEMO_COOKIE=$(tr -d '\r' <"$login_hdr" | sed -n 's/^[Ss]et-[Cc]ookie: *\([^;]*\).*/\1/p' | head -1)
	soak
	stop_servers
fi

# ---------------------------------------------------------------- report

cpu=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
setting title "Load suite: WebOS demo vs PocketBase $PB_VERSION"
setting date "$(date -u '+%Y-%m-%d %H:%M UTC')"
setting commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
setting machine "$(nproc) cores${cpu:+ ($cpu)}, shared by wrk and the servers"
setting "load average" "$load_before before the runs, $load_after after (above ~1, other work shared the cores)"
setting wrk "$(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), -t2 (-t1 at 1 connection), --timeout $TIMEOUT, --latency"
setting duration "$DURATION"
setting rounds "$ROUNDS"
setting connections "$CONNS (downloads $DL_CONNS)"
setting records "$RECORDS seeded into each before the runs; after the create runs: webos $demo_count, pocketbase $pb_count"
setting seeding "webos: $DEMO_SEED; pocketbase: $PB_SEED (16 parallel POSTs)"
setting "webos demo" "$(go version | awk '{print $3}'), zero-setup defaults, health checks: $DEMO_STORE, WEBOS_LOG_LEVEL=warn"
setting pocketbase "$PB_VERSION built as a library (internal/bench/pocketbase), default settings (request logs on)"
setting "cold start" "restart on the run's data, median of $COLD_RUNS"
[[ -z ${SOAK_LINE:-} ]] || setting soak "$SOAK_LINE"
setting "view one" "the demo has no route that reads one stored greeting; GET /auth/users/{id} (one stored user by id, admin token) stands in"

"$LOADTOOL" report -dir "$RUN"
for ext in md json svg; do
	f=results.$ext
	[[ $ext == svg ]] && f=chart.svg
	cp "$RUN/$f" "$OUT/latest.$ext"
done
cat "$RUN/results.md"
log "wrote $RUN/{results.md,results.json,chart.svg} and $OUT/latest.{md,json,svg}"
