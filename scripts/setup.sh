#!/usr/bin/env bash
# One-time set-up on a fresh machine; cheap to rerun (each step checks first).
# - Debian packages: OpenBLAS for the native engine, Fashion-MNIST, Chromium for the
#   report's browser test; PyTorch for the benchmarks (--with-torch) and Slurm with munge
#   for the scheduler tests (--with-slurm), each skipped unless asked.
# - npm ci when node_modules is missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=0; with_torch=0; with_slurm=0
for a in "$@"; do case "$a" in --quiet) quiet=1 ;; --with-torch) with_torch=1 ;; --with-slurm) with_slurm=1 ;; esac; done
say() { [ "$quiet" = 1 ] || echo "setup: $*" >&2; }

need=()
dpkg -s libopenblas-dev >/dev/null 2>&1 || need+=(libopenblas-dev)
dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || need+=(dataset-fashion-mnist)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ "$with_torch" = 1 ]; then dpkg -s python3-torch >/dev/null 2>&1 || need+=(python3-torch python3-numpy); fi
# A real single-node Slurm cluster for the scheduler tests (test/slurm*; scripts/slurm-cluster.sh).
if [ "$with_slurm" = 1 ]; then for p in slurm-wlm munge; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done; fi
# The photo source fetches python3-skimage with `apt-get download`, which needs package lists.
lists_missing=0
if command -v apt-get >/dev/null && ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then lists_missing=1; fi
if [ "$lists_missing" = 1 ] && [ ${#need[@]} -eq 0 ] && [ "$(id -u)" = 0 ]; then apt-get update -qq >/dev/null || true; fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${need[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    rebuild_addon=1
  else
    echo "setup: warning: missing Debian packages (${need[*]}); install them as root for the native engine, Fashion-MNIST and browser tests" >&2
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
elif [ "${rebuild_addon:-0}" = 1 ] && [ -f packages/engine/binding.gyp ]; then
  # OpenBLAS arrived after npm ci: build the native engine addon now.
  npm run --silent build:addon -w @imp/engine >&2 || true
fi
# Ahead-of-time build of the imp command (esbuild, about a second); bin/imp.js also rebuilds
# by itself whenever a source changed, so this only saves the first run that second.
node scripts/build.mjs --check 2>/dev/null || node scripts/build.mjs >&2 || echo "setup: warning: the build failed; imp will run the sources through tsx" >&2
say "ready"
