#!/usr/bin/env bash
# security.sh is the security half of `make lint` (and so of `make test`):
#
#   govulncheck  fails on a vulnerability that the code reaches (symbol
#                level, govulncheck's default), in a dependency or in the
#                standard library of the toolchain in use; the database is
#                built offline from the golang.org/x/vulndb module
#                (scripts/vulndb.sh)
#   staticcheck  fails on any finding
#   gosec        fails on any high-severity finding that is not annotated on
#                its line with `// #nosec G<rule> -- <why it is no problem>`;
#                an annotation without a rule and a reason fails too
#
# The tools are installed once per machine, at pinned versions and built with
# the toolchain in use, into the shared tools folder. The three run in
# parallel, and a tool whose inputs (Go files, go.mod, go.sum, tool and
# database versions, toolchain) have not changed since it last passed is not
# run again (SECURITY_FORCE=1 runs them all).
#
# Environment: WEBOS_TOOLS_DIR (default $HOME/.cache/webos-tools/bin),
# VULNDB_VERSION (see scripts/vulndb.sh), SECURITY_FORCE.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

STATICCHECK_VERSION=v0.8.2
GOSEC_VERSION=v2.30.0
GOVULNCHECK_VERSION=v1.9.0
TOOLS=${WEBOS_TOOLS_DIR:-${HOME:-/root}/.cache/webos-tools/bin}
STAMPS=.cache/security
start=$SECONDS

log() { echo "==> $*" >&2; }
die() {
	echo "security: $*" >&2
	exit 1
}

# The toolchain that go.mod names, unless GOTOOLCHAIN is set: this machine's
# own Go may be older and ignores go.mod's toolchain line (GOTOOLCHAIN=local
# in its go.env). The first use downloads it through the module proxy.
if [[ -z ${GOTOOLCHAIN:-} ]]; then
	tc=$(sed -n 's/^toolchain[[:space:]]\{1,\}\(go[0-9.]*\)[[:space:]]*$/\1/p' go.mod)
	if [[ -n $tc ]]; then export GOTOOLCHAIN=$tc; fi
fi
goversion=$(go env GOVERSION) || die "go env GOVERSION failed (GOTOOLCHAIN=${GOTOOLCHAIN:-})"

# install_tool NAME MODULE PACKAGE VERSION installs PACKAGE@VERSION as
# $TOOLS/NAME unless the binary there is already that version built with
# this toolchain.
install_tool() {
	local name=$1 module=$2 pkg=$3 version=$4 bin=$TOOLS/$1 info t0=$SECONDS
	if [[ -x $bin ]] && info=$(go version -m "$bin" 2>/dev/null) &&
		[[ $info == "$bin: $goversion"* && $info =~ [[:space:]]mod[[:space:]]+${module}[[:space:]]+${version}[[:space:]] ]]; then
		return 0
	fi
	mkdir -p "$TOOLS"
	log "go install $pkg@$version into $TOOLS with $goversion (once per machine)"
	# Outside the module, so that its go.mod plays no part; one install at a
	# time across clones.
	(
		cd "$TOOLS"
		exec 9>"$TOOLS/.install-$name.lock"
		flock 9
		GOBIN=$TOOLS GOFLAGS=-buildvcs=false go install "$pkg@$version"
	) >&2 || die "go install $pkg@$version failed"
	log "$name installed in $((SECONDS - t0))s"
}

install_tool staticcheck honnef.co/go/tools honnef.co/go/tools/cmd/staticcheck "$STATICCHECK_VERSION"
install_tool gosec github.com/securego/gosec/v2 github.com/securego/gosec/v2/cmd/gosec "$GOSEC_VERSION"
install_tool govulncheck golang.org/x/vuln golang.org/x/vuln/cmd/govulncheck "$GOVULNCHECK_VERSION"
db=$(bash scripts/vulndb.sh) || die "no vulnerability database"

# Annotations that silence gosec must name the rule and give a reason.
bad=$(git ls-files -co --exclude-standard -- '*.go' | xargs -d '\n' -r grep -nHE '#nosec|gosec:disable' 2>/dev/null |
	grep -vE '// #nosec G[0-9]+( G[0-9]+)* -- [^[:space:]]' || true)
if [[ -n $bad ]]; then
	echo "gosec annotations need a rule and a reason (// #nosec G<rule> -- <reason>):" >&2
	printf '%s\n' "$bad" >&2
	exit 1
fi

# What the tools read: a tool that passed on the same inputs passes again.
inputs=$({
	echo "$goversion $STATICCHECK_VERSION $GOSEC_VERSION $GOVULNCHECK_VERSION $db"
	git ls-files -co --exclude-standard -- '*.go' go.mod go.sum scripts/security.sh scripts/vulndb.sh |
		sort -u | while IFS= read -r f; do [[ -f $f ]] && printf '%s\0' "$f"; done | xargs -0 -r sha256sum
} | sha256sum | cut -d' ' -f1)
mkdir -p "$STAMPS"

names=(govulncheck staticcheck gosec)
cmds=(
	"$TOOLS/govulncheck -db file://$db ./..."
	"$TOOLS/staticcheck ./..."
	"$TOOLS/gosec -quiet -color=false -severity high -exclude-generated ./..."
)
pids=()
for i in "${!names[@]}"; do
	name=${names[i]}
	if [[ -z ${SECURITY_FORCE:-} && -f $STAMPS/$name && $(<"$STAMPS/$name") == "$inputs" ]]; then
		log "${cmds[i]#"$TOOLS/"}: passed on these sources before, not run again"
		pids+=("")
		continue
	fi
	log "${cmds[i]#"$TOOLS/"}  ($goversion)"
	rm -f "$STAMPS/$name"
	# shellcheck disable=SC2086 # the command is a word list
	(
		t0=$SECONDS status=0
		${cmds[i]} >"$STAMPS/$name.log" 2>&1 || status=$?
		echo "$status $((SECONDS - t0))" >"$STAMPS/$name.status"
	) &
	pids+=("$!")
done

failed=()
for i in "${!names[@]}"; do
	name=${names[i]}
	[[ -n ${pids[i]} ]] || continue
	wait "${pids[i]}" || true
	read -r status secs <"$STAMPS/$name.status" || status=1 secs='?'
	if ((status == 0)); then
		echo "$inputs" >"$STAMPS/$name"
		log "$name passed in ${secs}s"
		if [[ $name == govulncheck ]]; then
			sed -n '/affected by/,/^$/{/^$/d;/show verbose/d;p}' "$STAMPS/$name.log" >&2
		fi
	else
		cat "$STAMPS/$name.log" >&2
		log "$name FAILED (exit $status, ${secs}s): ${cmds[i]#"$TOOLS/"}"
		failed+=("$name")
	fi
done
if ((${#failed[@]})); then
	die "${failed[*]} failed (security checks: $((SECONDS - start))s)"
fi
log "security checks passed in $((SECONDS - start))s"
