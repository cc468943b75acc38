#!/usr/bin/env bash
# Speed of `keyhole check` against parsing alone, on the trees given (real code: at least
# a few thousand Python/JS/TS files). Needs hyperfine. Prints both times and their ratio.
#
#   scripts/speed-bench.sh ~/src/netbox ~/src/NodeBB ~/src/polar
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: $0 PATH..." >&2
  exit 2
fi
cargo build --release --quiet
bin=target/release/keyhole
"$bin" parse "$@"
hyperfine -N --warmup 1 --runs "${RUNS:-10}" \
  "$bin parse $*" \
  "$bin check --fail-on never --format concise $*"
