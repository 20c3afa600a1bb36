#!/usr/bin/env bash
# `npm test`: every project's node:test suite through Nx (cached per project),
# then one closing line summing the runners' "# pass"/"# fail" counts.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --quiet || exit 1
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
echo "typecheck: tsc --noEmit" >&2
npx tsc -p tsconfig.json --noEmit || { echo "tests: 0 passed, 1 failed (typecheck)"; exit 1; }
log=$(mktemp)
npx nx run-many -t test --output-style=static --parallel=1 "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
sum() { grep -E "# $1 [0-9]+\$" "$log" | awk '{ s += $NF } END { print s + 0 }'; }
pass=$(sum pass)
fail=$(sum fail)
rm -f "$log"
echo "tests: ${pass:-0} passed, ${fail:-0} failed"
exit "$rc"
