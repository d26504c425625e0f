#!/usr/bin/env bash
# hooks.sh is `make hooks`: it installs scripts/pre-commit as the pre-commit
# hook of the git repository of the working directory (gofmt, go vet and
# staticcheck on the staged packages before every commit). An existing hook
# that is not ours is kept as pre-commit.orig.
set -euo pipefail
src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pre-commit"
hooks=$(git rev-parse --path-format=absolute --git-path hooks)
mkdir -p "$hooks"
dst=$hooks/pre-commit
if [[ -e $dst ]] && ! cmp -s "$src" "$dst"; then
	if grep -q '^# pre-commit is the repository' "$dst"; then
		: # an older copy of ours
	else
		mv "$dst" "$dst.orig"
		echo "hooks: kept the previous hook as $dst.orig" >&2
	fi
fi
install -m 0755 "$src" "$dst"
echo "hooks: installed $dst (gofmt, go vet, staticcheck on staged Go packages)" >&2
