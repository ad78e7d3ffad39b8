#!/usr/bin/env bash
# Every shell script the repository tracks passes shellcheck (the repository's
# .shellcheckrc follows sourced files). Prints "N passed, N failed".
# Usage: tests/lint/shellcheck.sh ROOT
set -euo pipefail
root=${1:?root}
cd "$root"
command -v shellcheck >/dev/null || { echo "skipped: shellcheck is missing (scripts/deps installs it)"; exit 77; }
passed=0 failed=0
while IFS= read -r f; do
  if shellcheck "$f"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $f"; fi
done < <(git ls-files | while IFS= read -r f; do
  case "$f" in
    *.sh | scripts/* | .ci/* | .github/scripts/*) ;;
    *) continue ;;
  esac
  [ -f "$f" ] && head -1 "$f" | grep -Eq '^#!.*(ba)?sh|^# shellcheck shell=' && printf '%s\n' "$f"
done)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
