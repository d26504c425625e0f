#!/usr/bin/env bash
# load-blog.sh measures the blog's public reads against PocketBase v0.36.8
# serving the same number of posts, in one sitting, with wrk: the public
# JSON list (20 a page) and the HTML home page vs PocketBase's list API
# (perPage=20, with and without skipTotal), and a post by slug (HTML and
# JSON) vs PocketBase's view-one and its list filtered by slug. The demo
# runs with its zero-setup defaults (embedded SQLite store). Both servers
# are seeded through their HTTP APIs (internal/cmd/blogseed for the blog,
# internal/bench/loadtool for PocketBase). Rounds alternate the order of
# the cases. Results: artifacts/load-blog/<UTC time>.txt.
#
# Environment: LOAD_DURATION [5s], LOAD_ROUNDS [3], LOAD_CONNECTIONS [64],
# LOAD_RECORDS [10000], LOAD_PORT [18391] (PocketBase +1), LOAD_MONGO_URL
# [none: the embedded SQLite store] to run the demo on a MongoDB-wire
# server instead (a fresh database of its own, dropped by nobody: use a
# throw-away server or database).
# PocketBase is the binary scripts/load.sh builds into
# $WEBOS_TOOLS_DIR [$HOME/.cache/webos-tools/bin]; run `make load` once
# (or LOAD_DURATION=1s LOAD_ROUNDS=1 make load) to build it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DURATION=${LOAD_DURATION:-5s}
ROUNDS=${LOAD_ROUNDS:-3}
CONNS=${LOAD_CONNECTIONS:-64}
RECORDS=${LOAD_RECORDS:-10000}
PORT=${LOAD_PORT:-18391}
TOOLS=${WEBOS_TOOLS_DIR:-${HOME:-/root}/.cache/webos-tools/bin}
PBBIN=$TOOLS/pocketbase
DEMO=127.0.0.1:$PORT PB=127.0.0.1:$((PORT + 1))
export GOTOOLCHAIN=$(awk '/^toolchain/{print $2}' go.mod)
[[ -x $PBBIN ]] || { echo "load-blog: no PocketBase at $PBBIN: run make load once" >&2; exit 1; }
WORK=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
go build -o "$WORK/webos-demo" ./examples/cmd/webos-demo
go build -o "$WORK/blogseed" ./internal/cmd/blogseed
go build -o "$WORK/loadtool" ./internal/bench/loadtool
mkdir -p "$WORK/demo" "$WORK/pb"
store_env=()
if [[ -n ${LOAD_MONGO_URL:-} ]]; then
	store_env=(WEBOS_MONGO_URL="$LOAD_MONGO_URL" WEBOS_MONGO_DB="loadblog_$(date -u +%H%M%S)_$$")
fi
(cd "$WORK/demo" && exec env -u WEBOS_MONGO_URL -u WEBOS_REDIS_URL -u WEBOS_AFS_SOURCES -u WEBOS_ENV "${store_env[@]}" \
	WEBOS_ADDR=$DEMO WEBOS_DATA_DIR="$WORK/demo/data" WEBOS_LOG_LEVEL=warn \
	WEBOS_ADMIN_EMAIL=load-admin@example.com WEBOS_ADMIN_PASSWORD=load-admin-password-1 "$WORK/webos-demo") >"$WORK/demo.log" 2>&1 &
pids+=($!)
"$PBBIN" superuser upsert su@example.com su-password-12345 --dir "$WORK/pb" >"$WORK/pb.log" 2>&1
"$PBBIN" serve --http "$PB" --dir "$WORK/pb" >>"$WORK/pb.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
	curl -sf -o /dev/null "http://$DEMO/health" && curl -sf -o /dev/null "http://$PB/api/health" && break
	sleep 0.1
done
TOKEN=$(curl -sf -X POST "http://$DEMO/auth/login" -H 'Content-Type: application/json' \
	-d '{"email":"load-admin@example.com","password":"load-admin-password-1","token":true}' | jq -r .token)
SU=$(curl -sf -X POST "http://$PB/api/collections/_superusers/auth-with-password" -H 'Content-Type: application/json' \
	-d '{"identity":"su@example.com","password":"su-password-12345"}' | jq -r .token)
# posts: the blog's fields that a list shows, public, indexed on created
# and slug like the blog's posts.
curl -sf -X POST "http://$PB/api/collections" -H "Authorization: $SU" -H 'Content-Type: application/json' -d '{
  "name": "posts", "type": "base", "listRule": "", "viewRule": "", "createRule": "",
  "fields": [
    {"name": "title", "type": "text", "required": true}, {"name": "slug", "type": "text"},
    {"name": "excerpt", "type": "text"}, {"name": "body", "type": "text"},
    {"name": "created", "type": "autodate", "onCreate": true},
    {"name": "updated", "type": "autodate", "onCreate": true, "onUpdate": true}
  ],
  "indexes": ["CREATE INDEX idx_posts_created ON posts (created)", "CREATE UNIQUE INDEX idx_posts_slug ON posts (slug)"]
}' >/dev/null
"$WORK/loadtool" seed -url "http://$PB/api/collections/posts/records" -n "$RECORDS" -c 16 \
	-body '{"title":"Post %d","slug":"post-%d","excerpt":"The summary of post %d.","body":"Post **%d** says hello."}' >&2
"$WORK/blogseed" -url "http://$DEMO" -token "$TOKEN" -n "$RECORDS" -c 16 >/dev/null
MID=$((RECORDS / 2))
PBID=$(curl -sf "http://$PB/api/collections/posts/records?perPage=1&skipTotal=1&filter=(slug='post-$MID')" | jq -r '.items[0].id')
D=http://$DEMO P=http://$PB
cases=(
	"blog_api_list $D/blog/api/posts"
	"blog_home_html $D/blog/"
	"blog_post_html $D/blog/post-$MID"
	"blog_post_json $D/blog/api/posts/post-$MID"
	"pb_list_total $P/api/collections/posts/records?perPage=20&sort=-created"
	"pb_list_skiptotal $P/api/collections/posts/records?perPage=20&sort=-created&skipTotal=1"
	"pb_view_one $P/api/collections/posts/records/$PBID"
	"pb_by_slug $P/api/collections/posts/records?perPage=1&skipTotal=1&filter=(slug='post-$MID')"
)
mkdir -p artifacts/load-blog
OUT=artifacts/load-blog/$(date -u +%Y%m%dT%H%M%SZ).txt
echo "# wrk -t2 -c$CONNS -d$DURATION, $RECORDS posts each, blog on ${LOAD_MONGO_URL:+MongoDB-wire }${LOAD_MONGO_URL:-embedded SQLite}; round case req/s p50 non-2xx timeouts" | tee "$OUT"
for round in $(seq 1 "$ROUNDS"); do
	list=("${cases[@]}")
	if ((round % 2 == 0)); then
		list=()
		for ((i = ${#cases[@]} - 1; i >= 0; i--)); do list+=("${cases[$i]}"); done
	fi
	for c in "${list[@]}"; do
		read -r id url <<<"$c"
		rep=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$url" 2>&1)
		rps=$(awk '/Requests\/sec/{print $2}' <<<"$rep")
		p50=$(awk '$1=="50%"{print $2}' <<<"$rep")
		non=$(awk '/Non-2xx/{print $NF}' <<<"$rep")
		tmo=$(sed -n 's/.*timeout \([0-9]*\).*/\1/p' <<<"$rep")
		echo "$round $id $rps $p50 ${non:-0} ${tmo:-0}" | tee -a "$OUT"
		sleep 1
	done
done
