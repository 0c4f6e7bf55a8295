#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: unit tests, then the end-to-end tests (root: each runs the real
# daemon in its own throw-away network namespace). Ends with one line "N passed, N failed" for CI.
set -uo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test: the end-to-end tests create network namespaces: run as root" >&2; exit 1; }
scripts/install-deps.sh || exit 1
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }

results=artifacts/test-results
rm -rf "$results"
status=0
for project in tests/unit tests/e2e; do
  name=$(basename "$project")
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" || status=1
done

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
[ "$passed" -gt 0 ] || status=1
# Name the failures again at the end: CI keeps only the tail of the output.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.*testName="\([^"]*\)".*/failed: \1/p'
done
# Tests clean up after themselves; if a test host crashed, what it started is still here: count it as a failure and
# remove it, so the machine is left as it was. Containers outlive their daemon by design (conmon keeps them), so
# their runc state, monitors, mounts and cgroups are looked for too.
leftover=$(ip netns list | awk '/^mdt-/{print $1}')
daemons=$(pgrep -f 'mydockerd .*mydocker-e2e-' || true)
monitors=$(pgrep -f 'conmon .*mydocker-e2e-' || true; pgrep -f 'mydocker-resolver .*mydocker-e2e-' || true)
mounts=$(awk '$5 ~ "^/tmp/mydocker-e2e-" {print $5}' /proc/self/mountinfo | sort -r)
cgroups=$(ls -d /sys/fs/cgroup/*/mydocker-e2e-* 2>/dev/null || true)
if [ -n "$leftover$daemons$monitors$mounts$cgroups" ]; then
  echo "test: left behind: namespaces [$(echo $leftover)] daemons [$(echo $daemons)] monitors [$(echo $monitors)]" \
       "mounts [$(echo $mounts)] cgroups [$(echo $cgroups)]; removing them"
  [ -n "$daemons" ] && kill $daemons 2>/dev/null
  for root in /tmp/mydocker-e2e-*/exec/runc; do
    [ -d "$root" ] && runc --root "$root" list -q 2>/dev/null | xargs -r -n1 runc --root "$root" delete --force
  done
  [ -n "$monitors" ] && kill -9 $monitors 2>/dev/null
  for m in $mounts; do umount -l "$m"; done
  [ -n "$cgroups" ] && find $cgroups -depth -type d -exec rmdir {} + 2>/dev/null
  for ns in $leftover; do ip netns delete "$ns"; done
  failed=$((failed + 1)); status=1
fi
echo "$passed passed, $failed failed"
exit $status
