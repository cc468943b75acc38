#!/usr/bin/env bash
# Benchmark `keyhole check` against parsing alone on the same trees (the foundation issue's
# speed bar: check ≤ 1.5× parse-only, both cores busy). Needs hyperfine (Debian: hyperfine).
#
#   scripts/bench.sh DIR [DIR…]
#
# Point it at real repositories (thousands of Python/JS files); nothing is written.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: $0 DIR [DIR…]" >&2; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/keyhole
"$bin" parse "$@"
hyperfine --warmup 2 --runs 10 \
  -n parse-only "$bin parse $*" \
  -n check "$bin check --fail-on never --format concise $* >/dev/null 2>&1"
