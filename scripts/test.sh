#!/usr/bin/env bash
# `npm test`: every project's node:test suite through Nx (cached per project),
# then one closing line summing the runners' "# pass"/"# fail" counts.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --quiet || exit 1
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
# The house rules first: each failure is one line naming the check, and no test runs.
check() {
  local name=$1; shift
  echo "check: $name" >&2
  "$@" || { echo "tests: 0 passed, 1 failed ($name: run 'npm run ${name}' to see it)"; exit 1; }
}
check lint npx eslint . --max-warnings 0
check format:check npx prettier --check . --log-level warn
check boundaries npx depcruise --config .dependency-cruiser.cjs --no-progress packages test
check typecheck npx tsc -p tsconfig.json --noEmit
log=$(mktemp)
npx nx run-many -t test --output-style=static --parallel=1 "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
sum() { grep -E "# $1 [0-9]+\$" "$log" | awk '{ s += $NF } END { print s + 0 }'; }
pass=$(sum pass)
fail=$(sum fail)
rm -f "$log"
echo "tests: ${pass:-0} passed, ${fail:-0} failed"
exit "$rc"
