#!/usr/bin/env bash
# services.sh starts and stops the real servers that the integration tests talk
# to, all on 127.0.0.1, all state under one git-ignored folder.
#
#   scripts/services.sh up [--record FILE] [SERVICE...]   install what is missing, start what is not running
#   scripts/services.sh down [SERVICE...]                  stop the services this folder started
#   scripts/services.sh status                              show what answers on our ports
#   scripts/services.sh env                                 print `export WEBOS_TEST_...` lines
#   scripts/services.sh clean                               stop everything, then delete all state
#
# SERVICE is one of: postgres redis s3 mongo chromium (default: all).
# `mongo` (the MongoDB-wire server, built from ./internal/cmd/mongowire) runs
# over `postgres` and brings it up too.
#
# Idempotent: a service that already answers on its port is reused, not
# restarted. `up --record FILE` appends the names of the services this run
# actually started to FILE, so a caller can stop exactly those afterwards
# (scripts/with-services.sh does). `down` without names stops every service
# whose pid file or data folder is in our state folder; it never touches a
# process it did not start.
#
# Settings (environment):
#   WEBOS_SERVICES_DIR  state folder (default: <repo>/.cache/services)
#   WEBOS_TOOLS_DIR     built tools shared by all clones (default: $HOME/.cache/webos-tools/bin)
#   WEBOS_PG_PORT=55432 WEBOS_REDIS_PORT=56379 WEBOS_S3_PORT=57070
#   (the MongoDB-wire server has no port: it listens on a Unix socket in a
#   folder of mode 0700 under the state folder, so no other local user can
#   reach it — it has no authentication — and there is no port to race for)
#   WEBOS_PG_BIN        PostgreSQL server binaries (default: /usr/lib/postgresql/15/bin, else newest)
#   WEBOS_CHROMIUM      browser binary (default: /usr/bin/chromium)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${WEBOS_SERVICES_DIR:-$ROOT/.cache/services}
TOOLS=${WEBOS_TOOLS_DIR:-${HOME:-/root}/.cache/webos-tools/bin}

PG_PORT=${WEBOS_PG_PORT:-55432}
REDIS_PORT=${WEBOS_REDIS_PORT:-56379}
S3_PORT=${WEBOS_S3_PORT:-57070}
CHROMIUM=${WEBOS_CHROMIUM:-/usr/bin/chromium}

S3_ACCESS_KEY=webos-test
S3_SECRET_KEY=webos-test-secret
VERSITYGW_MODULE=github.com/versity/versitygw
VERSITYGW_VERSION=v1.8.0

PG_URL="postgres://postgres@127.0.0.1:${PG_PORT}/postgres"

# urlencode S percent-encodes every byte of S outside [A-Za-z0-9._~-].
urlencode() {
	local s=$1 out="" c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

# The socket lives in the state folder when its path fits a socket address
# (107 bytes on Linux); a state folder deep in the tree falls back to a
# private folder under /tmp named after it.
MONGO_RUN=$STATE/mongo/run
if ((${#MONGO_RUN} + 11 > 107)); then
	MONGO_RUN=/tmp/webos-mongo-$(id -u)-$(printf '%s' "$STATE" | sha256sum | cut -c1-12)
fi
MONGO_SOCK=$MONGO_RUN/mongo.sock
MONGO_URL="mongodb://$(urlencode "$MONGO_SOCK")/"
REDIS_URL="redis://127.0.0.1:${REDIS_PORT}/0"
S3_ENDPOINT="http://127.0.0.1:${S3_PORT}"

ALL_SERVICES=(postgres redis s3 mongo chromium)
RECORD=""
APT_UPDATED=0
WANT=()

# ---------------------------------------------------------------- helpers

log() { printf 'services: %s\n' "$*" >&2; }
die() {
	printf 'services: ERROR: %s\n' "$*" >&2
	exit 1
}

is_root() { [[ $(id -u) == 0 ]]; }

# record NAME notes that this run started NAME.
record() {
	if [[ -n $RECORD ]]; then
		printf '%s\n' "$1" >>"$RECORD"
	fi
}

# tail_log FILE prints the end of a service log for a failure message.
tail_log() {
	if [[ -r $1 ]]; then
		printf -- '----- last lines of %s -----\n' "$1" >&2
		tail -n 30 "$1" >&2 || true
		printf -- '-----\n' >&2
	else
		printf 'services: (no log at %s)\n' "$1" >&2
	fi
}

# The probes below run a small bash under `timeout`; their single-quoted
# scripts take the port and path as $0 and $1.

# tcp_open PORT succeeds when something accepts TCP connections on 127.0.0.1:PORT.
# shellcheck disable=SC2016
tcp_open() {
	timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null
}

# http_ok PORT PATH succeeds when GET PATH on 127.0.0.1:PORT answers 200.
# shellcheck disable=SC2016
http_ok() {
	timeout 3 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
		printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$1" >&3
		IFS= read -r status <&3 || exit 1
		[[ $status == HTTP/1.[01]" 200"* ]]' "$1" "$2" 2>/dev/null
}

# redis_ping PORT succeeds when a Redis server answers PING on 127.0.0.1:PORT.
# shellcheck disable=SC2016
redis_ping() {
	timeout 2 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
		printf "PING\r\n" >&3
		IFS= read -r reply <&3 || exit 1
		[[ $reply == "+PONG"* ]]' "$1" 2>/dev/null
}

# pid_alive PIDFILE NAME succeeds when PIDFILE names a live process whose
# command line mentions NAME (so a recycled pid is never mistaken for ours).
pid_alive() {
	local pidfile=$1 name=$2 pid
	[[ -s $pidfile ]] || return 1
	pid=$(<"$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	local cmdline
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ $cmdline == *"$name"* ]]
}

# reuse NAME PORT OURS logs that NAME already answers and is reused; OURS
# (0 or 1) tells whether it was started from this state folder.
reuse() {
	local whose="started from $STATE"
	[[ $3 == 1 ]] || whose="not started from $STATE; stop it yourself if it is stale"
	log "$1: already answering on 127.0.0.1:$2, reusing ($whose)"
}

# wait_until NAME SECONDS LOG PIDFILE CHECK... runs CHECK until it succeeds.
# It fails with the log's tail after SECONDS, or at once when the process in
# PIDFILE (if given) has died.
wait_until() {
	local name=$1 secs=$2 logfile=$3 pidfile=$4
	shift 4
	local deadline=$((SECONDS + secs))
	until "$@"; do
		if [[ -n $pidfile && -s $pidfile ]] && ! kill -0 "$(<"$pidfile")" 2>/dev/null; then
			log "$name exited during start-up"
			tail_log "$logfile"
			die "$name did not start"
		fi
		if ((SECONDS >= deadline)); then
			log "$name is not ready after ${secs}s"
			tail_log "$logfile"
			die "$name did not start"
		fi
		sleep 0.2
	done
}

# stop_pid NAME PIDFILE MATCH sends TERM to the process in PIDFILE (if it is
# ours and alive), waits up to 20 s, then KILLs it.
stop_pid() {
	local name=$1 pidfile=$2 match=$3 pid i
	if ! pid_alive "$pidfile" "$match"; then
		rm -f "$pidfile"
		return 0
	fi
	pid=$(<"$pidfile")
	log "$name: stopping (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name: still running after 20s, killing"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

# start_bg NAME PIDFILE LOG CMD... starts CMD detached from the terminal and
# the caller's process group, output to LOG, and writes its pid.
start_bg() {
	local name=$1 pidfile=$2 logfile=$3
	shift 3
	printf '\n=== %s start %s ===\n' "$name" "$(date '+%F %T')" >>"$logfile"
	setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
	echo $! >"$pidfile"
}

# ---------------------------------------------------------------- packages

# apt_install PACKAGE... installs Debian packages, running `apt-get update`
# at most once per invocation.
apt_install() {
	local -a sudo=()
	if ! is_root; then
		command -v sudo >/dev/null || die "need root (or sudo) to apt-get install $*"
		sudo=(sudo)
	fi
	command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
	if [[ $APT_UPDATED == 0 ]]; then
		log "apt-get update"
		"${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed"
		APT_UPDATED=1
	fi
	log "apt-get install $* (once per machine; chromium takes a few minutes)"
	local t0=$SECONDS
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 ||
		die "apt-get install $* failed"
	log "installed $* in $((SECONDS - t0))s"
}

# pg_bin prints the folder of the PostgreSQL server binaries.
pg_bin() {
	if [[ -n ${WEBOS_PG_BIN:-} ]]; then
		[[ -x $WEBOS_PG_BIN/pg_ctl ]] || return 1
		echo "$WEBOS_PG_BIN"
		return 0
	fi
	local d best=""
	if [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then
		echo /usr/lib/postgresql/15/bin
		return 0
	fi
	while IFS= read -r d; do
		[[ -x $d/pg_ctl ]] && best=$d
	done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
	[[ -n $best ]] && echo "$best"
}

# ensure_packages SERVICE... installs, in one apt-get run, whatever the
# wanted services lack.
ensure_packages() {
	local -a pkgs=()
	local s
	for s in "$@"; do
		case $s in
		postgres) pg_bin >/dev/null || pkgs+=(postgresql) ;;
		redis) command -v redis-server >/dev/null || pkgs+=(redis-server) ;;
		chromium) [[ -x $CHROMIUM ]] || pkgs+=(chromium) ;;
		esac
	done
	# `go test -race` needs cgo, so a C compiler.
	command -v gcc >/dev/null || pkgs+=(gcc libc6-dev)
	if ((${#pkgs[@]})); then
		apt_install "${pkgs[@]}"
	fi
}

# ---------------------------------------------------------------- postgres

# pg_dir prints the folder holding the cluster. Run as root, PostgreSQL runs as
# the `postgres` user, which must own the folder and reach it; when our state
# folder is not reachable (e.g. a clone under /root), the cluster lives under
# /tmp and <state>/postgres links to it.
pg_dir() {
	local d=$STATE/postgres alt
	if [[ -L $d ]]; then
		readlink "$d"
		return 0
	fi
	if ! is_root; then
		mkdir -p "$d"
		echo "$d"
		return 0
	fi
	id postgres >/dev/null 2>&1 || die "postgres: the 'postgres' system user is missing (apt-get install postgresql creates it)"
	if [[ ! -e $d ]]; then
		install -d -m 700 -o postgres -g postgres "$d"
	fi
	if runuser -u postgres -- test -w "$d"; then
		echo "$d"
		return 0
	fi
	rmdir "$d" 2>/dev/null || true
	alt=/tmp/webos-services-$(printf '%s' "$STATE" | cksum | cut -d' ' -f1)/postgres
	install -d -m 755 "$(dirname "$alt")"
	install -d -m 700 -o postgres -g postgres "$alt"
	ln -s "$alt" "$d"
	log "postgres: the postgres user cannot reach $STATE; cluster lives in $alt"
	echo "$alt"
}

# as_pg CMD... runs CMD as the postgres user when we are root.
as_pg() {
	if is_root; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_ready() {
	local bin
	bin=$(pg_bin) || return 1
	"$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -t 2 2>/dev/null
}

up_postgres() {
	local bin dir data t0=$SECONDS
	if pg_ready; then
		local ours=0
		if [[ -f $STATE/postgres/data/postmaster.pid ]] && bin=$(pg_bin) &&
			as_pg "$bin/pg_ctl" -D "$STATE/postgres/data" status >/dev/null 2>&1; then
			ours=1
		fi
		reuse postgres "$PG_PORT" "$ours"
		return 0
	fi
	tcp_open "$PG_PORT" && die "postgres: port $PG_PORT is taken by something that is not PostgreSQL (set WEBOS_PG_PORT)"
	bin=$(pg_bin) || die "postgres: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"
	dir=$(pg_dir)
	data=$dir/data
	if [[ ! -f $data/PG_VERSION ]]; then
		log "postgres: creating a cluster in $data"
		as_pg "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --no-instructions >>"$dir/initdb.log" 2>&1 || {
			tail_log "$dir/initdb.log"
			die "postgres: initdb failed"
		}
	fi
	log "postgres: starting on 127.0.0.1:$PG_PORT"
	# No Unix socket (path length limits, nothing needs it); durability is
	# traded for speed: this is a throw-away test cluster.
	if ! as_pg "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 \
		-o "-p $PG_PORT -k '' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start </dev/null >/dev/null 9>&-; then
		tail_log "$dir/postgres.log"
		die "postgres: pg_ctl start failed"
	fi
	record postgres
	wait_until postgres 30 "$dir/postgres.log" "" pg_ready
	log "postgres: ready in $((SECONDS - t0))s"
}

down_postgres() {
	local bin dir data
	[[ -e $STATE/postgres ]] || return 0
	dir=$(pg_dir)
	data=$dir/data
	[[ -f $data/postmaster.pid ]] || return 0
	bin=$(pg_bin) || return 0
	if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		log "postgres: stopping"
		as_pg "$bin/pg_ctl" -D "$data" -w -t 60 -m fast stop >/dev/null ||
			log "postgres: pg_ctl stop failed (see $dir/postgres.log)"
	fi
}

status_postgres() {
	if pg_ready; then echo "postgres  up    $PG_URL"; else echo "postgres  down  127.0.0.1:$PG_PORT"; fi
}

# ---------------------------------------------------------------- redis

up_redis() {
	local dir=$STATE/redis t0=$SECONDS
	if redis_ping "$REDIS_PORT"; then
		reuse redis "$REDIS_PORT" "$(pid_alive "$dir/redis.pid" redis-server && echo 1 || echo 0)"
		return 0
	fi
	tcp_open "$REDIS_PORT" && die "redis: port $REDIS_PORT is taken by something that is not Redis (set WEBOS_REDIS_PORT)"
	command -v redis-server >/dev/null || die "redis: redis-server not found (apt-get install redis-server)"
	mkdir -p "$dir"
	rm -f "$dir/redis.pid"
	log "redis: starting on 127.0.0.1:$REDIS_PORT"
	printf '\n=== redis start %s ===\n' "$(date '+%F %T')" >>"$dir/redis.log"
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
		--save '' --appendonly no \
		--pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" </dev/null >/dev/null 2>&1 9>&- || {
		tail_log "$dir/redis.log"
		die "redis: redis-server failed"
	}
	record redis
	wait_until redis 20 "$dir/redis.log" "" redis_ping "$REDIS_PORT"
	log "redis: ready in $((SECONDS - t0))s"
}

down_redis() { stop_pid redis "$STATE/redis/redis.pid" redis-server; }

status_redis() {
	if redis_ping "$REDIS_PORT"; then echo "redis     up    $REDIS_URL"; else echo "redis     down  127.0.0.1:$REDIS_PORT"; fi
}

# ---------------------------------------------------------------- s3 (versitygw)

# ensure_versitygw installs the pinned versitygw into the shared tools folder
# unless a build of that version is already there.
ensure_versitygw() {
	local bin=$TOOLS/versitygw t0=$SECONDS info=""
	if [[ -x $bin ]]; then
		info=$(go version -m "$bin" 2>/dev/null) || info=""
		if [[ $info =~ [[:space:]]mod[[:space:]]+${VERSITYGW_MODULE}[[:space:]]+${VERSITYGW_VERSION}[[:space:]] ]]; then
			return 0
		fi
		log "s3: $bin is not versitygw $VERSITYGW_VERSION, rebuilding"
		rm -f "$bin"
	fi
	command -v go >/dev/null || die "s3: go not found, cannot build versitygw"
	mkdir -p "$TOOLS"
	log "s3: building versitygw $VERSITYGW_VERSION into $TOOLS (once per machine; about 7 min cold)"
	(cd "$TOOLS" && GOBIN=$TOOLS GOFLAGS=-buildvcs=false go install "${VERSITYGW_MODULE}/cmd/versitygw@${VERSITYGW_VERSION}") >&2 ||
		die "s3: go install ${VERSITYGW_MODULE}/cmd/versitygw@${VERSITYGW_VERSION} failed"
	log "s3: versitygw built in $((SECONDS - t0))s"
}

s3_ready() { http_ok "$S3_PORT" /health; }

up_s3() {
	local dir=$STATE/s3 t0=$SECONDS
	if s3_ready; then
		reuse s3 "$S3_PORT" "$(pid_alive "$dir/versitygw.pid" versitygw && echo 1 || echo 0)"
		return 0
	fi
	tcp_open "$S3_PORT" && die "s3: port $S3_PORT is taken by something without GET /health (set WEBOS_S3_PORT)"
	ensure_versitygw
	mkdir -p "$dir/data"
	log "s3: starting versitygw on 127.0.0.1:$S3_PORT"
	start_bg versitygw "$dir/versitygw.pid" "$dir/versitygw.log" \
		"$TOOLS/versitygw" --port "127.0.0.1:$S3_PORT" \
		--access "$S3_ACCESS_KEY" --secret "$S3_SECRET_KEY" \
		--health /health --quiet posix "$dir/data"
	record s3
	wait_until s3 30 "$dir/versitygw.log" "$dir/versitygw.pid" s3_ready
	log "s3: ready in $((SECONDS - t0))s"
}

down_s3() { stop_pid s3 "$STATE/s3/versitygw.pid" versitygw; }

status_s3() {
	if s3_ready; then echo "s3        up    $S3_ENDPOINT"; else echo "s3        down  127.0.0.1:$S3_PORT"; fi
}

# ---------------------------------------------------------------- mongo (mongowire over postgres)

# mongo_ready succeeds when our MongoDB-wire server runs and its socket is there.
mongo_ready() {
	pid_alive "$STATE/mongo/mongowire.pid" mongowire && [[ -S $MONGO_SOCK ]]
}

up_mongo() {
	local dir=$STATE/mongo bin=$STATE/bin/mongowire t0=$SECONDS
	if mongo_ready; then
		log "mongo: already answering on $MONGO_SOCK, reusing (started from $STATE)"
		return 0
	fi
	[[ -d $ROOT/internal/cmd/mongowire ]] ||
		die "mongo: $ROOT/internal/cmd/mongowire does not exist, so there is no MongoDB-wire server to start"
	pg_ready || die "mongo: PostgreSQL is not answering on 127.0.0.1:$PG_PORT"
	mkdir -p "$dir" "$STATE/bin"
	mkdir -p -m 0700 "$MONGO_RUN"
	chmod 0700 "$MONGO_RUN"
	log "mongo: building ./internal/cmd/mongowire"
	(cd "$ROOT" && go build -o "$bin" ./internal/cmd/mongowire) >&2 ||
		die "mongo: go build ./internal/cmd/mongowire failed (see the compiler errors above)"
	log "mongo: starting mongowire on $MONGO_SOCK over PostgreSQL"
	start_bg mongowire "$dir/mongowire.pid" "$dir/mongowire.log" \
		"$bin" -socket "$MONGO_SOCK" -postgresql "$PG_URL"
	record mongo
	wait_until mongo 60 "$dir/mongowire.log" "$dir/mongowire.pid" mongo_ready
	log "mongo: ready in $((SECONDS - t0))s"
}

down_mongo() { stop_pid mongo "$STATE/mongo/mongowire.pid" mongowire; }

status_mongo() {
	if mongo_ready; then echo "mongo     up    $MONGO_URL"; else echo "mongo     down  $MONGO_SOCK"; fi
}

# ---------------------------------------------------------------- chromium (no daemon)

up_chromium() {
	[[ -x $CHROMIUM ]] || die "chromium: $CHROMIUM not found (apt-get install chromium)"
	log "chromium: $CHROMIUM"
}

down_chromium() { :; }

status_chromium() {
	if [[ -x $CHROMIUM ]]; then echo "chromium  ok    $CHROMIUM"; else echo "chromium  missing $CHROMIUM"; fi
}

# ---------------------------------------------------------------- commands

# select_services NAME... sets WANT to the named services (none means all).
select_services() {
	local s
	WANT=()
	if (($# == 0)); then
		WANT=("${ALL_SERVICES[@]}")
		return 0
	fi
	for s in "$@"; do
		case " ${ALL_SERVICES[*]} " in
		*" $s "*) WANT+=("$s") ;;
		*) die "unknown service '$s' (known: ${ALL_SERVICES[*]})" ;;
		esac
	done
}

# lock serialises concurrent up/down runs on one state folder.
lock() {
	mkdir -p "$STATE"
	if command -v flock >/dev/null; then
		exec 9>"$STATE/.lock"
		flock -w 900 9 || die "another services.sh is still running on $STATE"
	fi
}

cmd_up() {
	local -a args=()
	while (($#)); do
		case $1 in
		--record)
			RECORD=${2:?--record needs a file}
			shift 2
			;;
		*)
			args+=("$1")
			shift
			;;
		esac
	done
	select_services "${args[@]}"
	# mongo runs over postgres: bring postgres up too.
	if [[ " ${WANT[*]} " == *" mongo "* && " ${WANT[*]} " != *" postgres "* ]]; then
		WANT=(postgres "${WANT[@]}")
	fi
	lock
	mkdir -p "$STATE"
	local t0=$SECONDS s
	ensure_packages "${WANT[@]}"
	for s in "${ALL_SERVICES[@]}"; do
		[[ " ${WANT[*]} " == *" $s "* ]] && "up_$s"
	done
	log "up: ${WANT[*]} ready in $((SECONDS - t0))s (state in $STATE)"
}

cmd_down() {
	local i
	select_services "$@"
	lock
	# Reverse order: mongo before the postgres it runs on.
	for ((i = ${#ALL_SERVICES[@]} - 1; i >= 0; i--)); do
		[[ " ${WANT[*]} " == *" ${ALL_SERVICES[i]} "* ]] && "down_${ALL_SERVICES[i]}"
	done
	return 0
}

cmd_status() {
	local s
	for s in "${ALL_SERVICES[@]}"; do "status_$s"; done
}

cmd_env() {
	cat <<EOF
export WEBOS_TEST_MONGO_URL='$MONGO_URL'
export WEBOS_TEST_REDIS_URL='$REDIS_URL'
export WEBOS_TEST_S3_ENDPOINT='$S3_ENDPOINT'
export WEBOS_TEST_S3_ACCESS_KEY='$S3_ACCESS_KEY'
export WEBOS_TEST_S3_SECRET_KEY='$S3_SECRET_KEY'
export WEBOS_TEST_POSTGRES_URL='$PG_URL'
export WEBOS_TEST_CHROMIUM='$CHROMIUM'
EOF
}

cmd_clean() {
	local target=""
	cmd_down
	if [[ -L $STATE/postgres ]]; then
		target=$(readlink "$STATE/postgres")
	fi
	log "removing $STATE"
	rm -rf "$STATE"
	if [[ -n $target ]]; then
		rm -rf "$target"
		rmdir "$(dirname "$target")" 2>/dev/null || true
	fi
}

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

main() {
	local cmd=${1:-}
	(($#)) && shift
	case $cmd in
	up) cmd_up "$@" ;;
	down) cmd_down "$@" ;;
	status) cmd_status ;;
	env) cmd_env ;;
	clean) cmd_clean ;;
	*) usage ;;
	esac
}

main "$@"
