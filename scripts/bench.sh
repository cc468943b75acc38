#!/usr/bin/env bash
# Benchmark `keyhole check` against parsing alone on the same trees (the foundation issue's
# speed bar: check ≤ 1.5× parse-only, both cores busy). Needs hyperfine (Debian: hyperfine).
#
#   scripts/bench.sh DIR [DIR…]
#
# Point it at real repositories (thousands of Python/JS files); nothing is written.
# hyperfine times all runs of one command, then the other; on a machine whose speed drifts
# (a shared VM), the pairs of alternating runs that follow give the steadier ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: $0 DIR [DIR…]" >&2; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/keyhole
"$bin" parse "$@"
hyperfine --warmup 2 --runs 10 \
  -n parse-only "$bin parse $*" \
  -n check "$bin check --fail-on never --format concise $* >/dev/null 2>&1"

seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}
pairs=${PAIRS:-10}
ratios=()
for _ in $(seq "$pairs"); do
  parse=$(seconds "$bin" parse "$@")
  check=$(seconds "$bin" check --fail-on never --format concise "$@")
  ratios+=("$(awk -v c="$check" -v p="$parse" 'BEGIN { print c / p }')")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk -v n="$pairs" '
  { r[NR] = $1 }
  END { printf "check / parse-only over %d alternating pairs: median %.3f (min %.3f, max %.3f)\n",
        n, (n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2), r[1], r[n] }'
