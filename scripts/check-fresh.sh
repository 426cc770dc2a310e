#!/usr/bin/env bash
# Proves that this machine carries nothing the project needs but does not install itself: every
# Debian package marked as installed by hand (`apt-mark showmanual`) must either be on a new
# machine (scripts/fresh-machine-packages.txt, the image's package list) or be named in
# scripts/deps.sh; every global npm package must be on a new machine (ours go in the build tree).
# A `make test` that passes here then passes on a fresh machine after `make deps`.
#   scripts/check-fresh.sh [FRESH_LIST]     exit 0: clean; exit 1: each extra package named
set -euo pipefail
cd "$(dirname "$0")/.."
FRESH_LIST="${1:-scripts/fresh-machine-packages.txt}"

# The package arrays of deps.sh, without running it.
eval "$(sed -n '/^APT_PACKAGES=(/,/^)/p' scripts/deps.sh)"
declare -A fresh=() declared=()
while IFS=$'\t' read -r kind name _; do
  [ "$kind" = apt ] && fresh[${name%%:*}]=1
  [ "$kind" = "npm -g" ] && fresh["npm:$name"]=1
done < <(grep -v '^#' "$FRESH_LIST")
for p in "${APT_PACKAGES[@]}"; do declared[$p]=1; done
# Debian's nodejs/npm are what deps.sh installs when the machine has no node of its own.
declared[nodejs]=1 declared[npm]=1

extra=0 manual=0
while read -r p; do
  p=${p%%:*}
  manual=$((manual + 1))
  if [ -z "${fresh[$p]:-}" ] && [ -z "${declared[$p]:-}" ]; then
    echo "check-fresh: Debian package '$p' was installed by hand: neither on a new machine nor in scripts/deps.sh"
    extra=$((extra + 1))
  fi
done < <(apt-mark showmanual)

npm_global=0
if command -v npm >/dev/null 2>&1; then
  while read -r dir; do
    name=${dir#*/node_modules/}
    npm_global=$((npm_global + 1))
    if [ -z "${fresh["npm:$name"]:-}" ]; then
      echo "check-fresh: global npm package '$name' was installed by hand (deps.sh keeps npm packages in the build tree)"
      extra=$((extra + 1))
    fi
  done < <(npm ls -g --depth=0 --parseable 2>/dev/null | grep /node_modules/)
fi

declared_not_fresh=0
for p in "${APT_PACKAGES[@]}"; do [ -n "${fresh[$p]:-}" ] || declared_not_fresh=$((declared_not_fresh + 1)); done
echo "check-fresh: $manual manually installed Debian packages, $npm_global global npm packages;" \
  "${#APT_PACKAGES[@]} named in deps.sh ($declared_not_fresh of them not on a new machine); $extra installed by hand"
((extra == 0))
