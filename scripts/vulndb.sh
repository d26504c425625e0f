#!/usr/bin/env bash
# vulndb.sh prints the path of an offline Go vulnerability database for
# `govulncheck -db file://PATH`, building it first if it is not cached.
#
# The database is built from the golang.org/x/vulndb module, fetched through
# the module proxy like any module: its data/osv entries are copied into the
# v1 layout govulncheck reads (ID/<id>.json and index/{db,modules,vulns}.json,
# the index written by a small stdlib-only Go program below, which does what
# vulndb's own cmd/indexdb does without its dependencies). Each version is
# built once per machine into the shared tools folder.
#
# Environment:
#   VULNDB_VERSION   golang.org/x/vulndb version (default: the pinned one
#                    below; "latest" takes the newest the proxy serves)
#   WEBOS_TOOLS_DIR  shared tools folder (default: $HOME/.cache/webos-tools/bin)
set -euo pipefail

VULNDB_MODULE=golang.org/x/vulndb
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
TOOLS=${WEBOS_TOOLS_DIR:-${HOME:-/root}/.cache/webos-tools/bin}

log() { echo "vulndb: $*" >&2; }
die() {
	log "$*"
	exit 1
}

# Outside any module, so that the project's go.mod is not involved.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

if [[ $VULNDB_VERSION == latest ]]; then
	VULNDB_VERSION=$(go list -m -f '{{.Version}}' "$VULNDB_MODULE@latest") ||
		die "cannot resolve $VULNDB_MODULE@latest"
fi

db=$TOOLS/vulndb/$VULNDB_VERSION
if [[ -f $db/index/modules.json && -f $db/.complete ]]; then
	echo "$db"
	exit 0
fi

t0=$SECONDS
log "building the database from $VULNDB_MODULE@$VULNDB_VERSION into $db (once per machine and version)"
# -json prints Dir and Time; "go mod download" is a no-op when the module
# cache already has it.
info=$(go mod download -json "$VULNDB_MODULE@$VULNDB_VERSION") ||
	die "go mod download $VULNDB_MODULE@$VULNDB_VERSION failed"
src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")
[[ -n $src && -d $src/data/osv ]] || die "no data/osv in $VULNDB_MODULE@$VULNDB_VERSION ($src)"
# The entries' "modified" fields are filled in only when Go's database is
# deployed; the database's own time is the module's commit time.
infofile=$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")
modified=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$infofile")
[[ -n $modified ]] || die "no commit time in $infofile"

cat >"$work/main.go" <<'EOF'
// Command indexdb writes the index of a v1 Go vulnerability database
// (index/db.json, index/modules.json, index/vulns.json) for the OSV entries
// in DIR/ID, as golang.org/x/vulndb/cmd/indexdb does.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

type entry struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases,omitempty"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string `json:"type"`
			Events []struct {
				Introduced string `json:"introduced,omitempty"`
				Fixed      string `json:"fixed,omitempty"`
			} `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Fixed    string `json:"fixed,omitempty"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type vuln struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases,omitempty"`
}

// less reports whether semantic version a (no "v") sorts before b; "" sorts
// first.
func less(a, b string) bool {
	if a == "" || b == "" {
		return a == "" && b != ""
	}
	split := func(v string) ([]string, string) {
		v, _, _ = strings.Cut(v, "+")
		core, pre, _ := strings.Cut(v, "-")
		return strings.Split(core, "."), pre
	}
	num := func(s string) (int, bool) { n, err := strconv.Atoi(s); return n, err == nil }
	ca, pa := split(a)
	cb, pb := split(b)
	for i := 0; i < len(ca) || i < len(cb); i++ {
		var x, y int
		if i < len(ca) {
			x, _ = num(ca[i])
		}
		if i < len(cb) {
			y, _ = num(cb[i])
		}
		if x != y {
			return x < y
		}
	}
	switch {
	case pa == pb:
		return false
	case pa == "":
		return false
	case pb == "":
		return true
	}
	ia, ib := strings.Split(pa, "."), strings.Split(pb, ".")
	for i := 0; i < len(ia) && i < len(ib); i++ {
		if ia[i] == ib[i] {
			continue
		}
		x, xn := num(ia[i])
		y, yn := num(ib[i])
		switch {
		case xn && yn:
			return x < y
		case xn != yn:
			return xn
		default:
			return ia[i] < ib[i]
		}
	}
	return len(ia) < len(ib)
}

func write(path string, v any) {
	b, err := json.Marshal(v)
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func main() {
	dir, modified := os.Args[1], os.Args[2]
	files, err := filepath.Glob(filepath.Join(dir, "ID", "*.json"))
	if err != nil || len(files) == 0 {
		fmt.Fprintln(os.Stderr, "no entries in", filepath.Join(dir, "ID"), err)
		os.Exit(1)
	}
	modules := map[string]*module{}
	var vulns []vuln
	for _, f := range files {
		b, err := os.ReadFile(f)
		var e entry
		if err == nil {
			err = json.Unmarshal(b, &e)
		}
		if err != nil || e.ID == "" {
			fmt.Fprintln(os.Stderr, f, err)
			os.Exit(1)
		}
		vulns = append(vulns, vuln{ID: e.ID, Modified: e.Modified, Aliases: e.Aliases})
		for _, a := range e.Affected {
			// The latest fix of the entry's SEMVER ranges, none when it
			// was introduced again after it (osvutils.LatestFixed).
			fixed := ""
			for _, r := range a.Ranges {
				if r.Type != "SEMVER" {
					continue
				}
				for _, ev := range r.Events {
					if ev.Fixed != "" && less(fixed, ev.Fixed) {
						fixed = ev.Fixed
					}
				}
				for _, ev := range r.Events {
					if ev.Introduced != "" && ev.Introduced != "0" && less(fixed, ev.Introduced) {
						fixed = ""
						break
					}
				}
			}
			m := modules[a.Package.Name]
			if m == nil {
				m = &module{Path: a.Package.Name, Vulns: []moduleVuln{}}
				modules[a.Package.Name] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: e.Modified, Fixed: fixed})
		}
	}
	var list []*module
	for _, m := range modules {
		sort.Slice(m.Vulns, func(i, j int) bool { return m.Vulns[i].ID < m.Vulns[j].ID })
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	sort.Slice(vulns, func(i, j int) bool { return vulns[i].ID < vulns[j].ID })
	if err := os.MkdirAll(filepath.Join(dir, "index"), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	write(filepath.Join(dir, "index", "modules.json"), list)
	write(filepath.Join(dir, "index", "vulns.json"), vulns)
	write(filepath.Join(dir, "index", "db.json"), map[string]string{"modified": modified})
	fmt.Fprintf(os.Stderr, "vulndb: %d entries, %d modules\n", len(vulns), len(list))
}
EOF

tmp=$db.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp/ID"
cp "$src"/data/osv/*.json "$tmp/ID/"
chmod -R u+w "$tmp"
go run "$work/main.go" "$tmp" "$modified" || die "indexing failed"
touch "$tmp/.complete"
rm -rf "$db"
mv "$tmp" "$db"
log "database built in $((SECONDS - t0))s"
echo "$db"
