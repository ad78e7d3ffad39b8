#!/usr/bin/env bash
# Internal APIs answer with a bool (true = fine) or their library's status
# enum, never a bare -1/0 (issue 10). This flags every return of -1 in the C
# sources of runtime/, functions/ and tools/ whose function is not in
# bare_status.allow (values with an out-of-range marker, as libc's are).
# Usage: bare_status.sh <source root>
set -euo pipefail

root=${1:?usage: bare_status.sh <source root>}
allow="$(cd "$(dirname "$0")" && pwd)/bare_status.allow"
cd "$root"

# "path function" for each return of -1 (also "? 0 : -1" and the like), and
# "path MACRO" for a macro that ends an expression in -1 (a hidden return).
# shellcheck disable=SC2016 # the single quotes hold an awk program
hits=$(find runtime functions tools \( -name '*.c' -o -name '*.h' \) -not -path '*/node_modules/*' -not -path '*/tests/*' -print0 |
  sort -z | xargs -0 awk '
    FNR == 1 { fn = "" }
    /^[A-Za-z_]/ && /\(/ && !/;[[:space:]]*$/ {
      line = $0
      sub(/__attribute__\(\(.*\)\)[[:space:]]*/, "", line)
      sub(/\(.*/, "", line)
      n = split(line, w, /[^A-Za-z0-9_]+/)
      fn = w[n]
    }
    /(^|[^A-Za-z0-9_])return([^;A-Za-z0-9_][^;]*)?-1[[:space:]]*;/ || /(^|[^A-Za-z0-9_])return[^;]*\?[[:space:]]*-1[[:space:]]*:/ {
      print FILENAME " " fn
    }
    /^#[[:space:]]*define[[:space:]]/ && /[,(][[:space:]]*-1[[:space:]]*\)/ {
      m = $0
      sub(/^#[[:space:]]*define[[:space:]]+/, "", m)
      sub(/[^A-Za-z0-9_].*/, "", m)
      print FILENAME " " m
    }' | sort -u)

fail=0
while read -r path fn; do
  [ -n "$path" ] || continue
  if ! grep -Eq "^${path}[[:space:]]+${fn}([[:space:]]|\$)" "$allow"; then
    echo "bare -1 returned by ${fn} in ${path}: return a bool or the library's status (or add it to ${allow##*/} with why)" >&2
    fail=1
  fi
done <<<"$hits"

# An allow-list entry that no longer matches is stale: drop it.
while read -r path fn _; do
  case "$path" in '' | '#'*) continue ;; esac
  if ! grep -qx "${path} ${fn}" <<<"$hits"; then
    echo "${allow##*/}: ${path} ${fn} returns no -1 any more: remove the entry" >&2
    fail=1
  fi
done <"$allow"

exit "$fail"
