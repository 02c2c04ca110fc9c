#!/usr/bin/env bash
# Runs every test. On a fresh machine it first installs what the tests use as oracles and peers:
# dcmtk, pydicom and GDCM from Debian, and the npm dependencies of
# shared/tools/delta-check (into ~/.cache/lakehouse, never into the repository).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dcmdump >/dev/null || need+=(dcmtk)
/usr/bin/python3 -c 'import pydicom' 2>/dev/null || need+=(python3-pydicom)
command -v gdcmanon >/dev/null || need+=(libgdcm-tools)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing test oracles: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

shared="${LAKEHOUSE_SHARED:-$(cd .. && pwd)/shared}"
dc="${LAKEHOUSE_DELTA_CHECK:-$HOME/.cache/lakehouse/delta-check}"
if [ ! -f "$dc/node_modules/@duckdb/node-api/package.json" ]; then
  echo "installing delta-check dependencies into $dc"
  mkdir -p "$dc"
  (cd "$shared/tools/delta-check" && tar --exclude=node_modules -cf - .) | (cd "$dc" && tar -xf - && chmod -R u+w .)
  (cd "$dc" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

log=$(mktemp)
set +e
dotnet test Lakehouse.sln -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One closing line for CI: the sum over all test projects.
awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { gsub(",", "", f); printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $rc
