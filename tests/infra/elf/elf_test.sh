#!/usr/bin/env bash
# The shipped bootstrap's ELF hardening (issue 15): scripts/package makes the
# zip from the built bootstrap, and the bootstrap inside it (RPATH rewritten by
# patchelf, debug info split off) must be PIE with full RELRO, BIND_NOW, a
# non-executable stack, the stack protector and FORTIFY. A probe built without
# any of these must fail every property: the checks can fail.
# Usage: elf_test.sh ROOT BOOTSTRAP WEAK_PROBE. Ends with "N passed, N failed".
set -uo pipefail
root="$1" bootstrap="$2" weak="$3"
here="$(cd "$(dirname "$0")" && pwd)"
work=$(mktemp -d "${TMPDIR:-/tmp}/orders-elf.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0 failed=0
check() {
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $name"
  else failed=$((failed + 1)); echo "not ok - $name"; fi
}

"$root/scripts/package" --binary "$bootstrap" --out "$work/bootstrap.zip" >/dev/null 2>"$work/package.log"
check "scripts/package made the zip" test -s "$work/bootstrap.zip"
unzip -q "$work/bootstrap.zip" bootstrap -d "$work/unzipped" 2>/dev/null
check "the zip holds bootstrap" test -x "$work/unzipped/bootstrap"
"$here/check_elf.sh" "$work/unzipped/bootstrap" >"$work/shipped.txt"
check "the shipped bootstrap has every hardening property" test "$(grep -c '^ok' "$work/shipped.txt")" -eq 6
sed 's/^/    /' "$work/shipped.txt"
"$here/check_elf.sh" "$weak" >"$work/weak.txt"
check "a probe built without hardening fails every property" test "$(grep -c '^not ok' "$work/weak.txt")" -eq 6
sed 's/^/    /' "$work/weak.txt"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
