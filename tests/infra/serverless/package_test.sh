#!/usr/bin/env bash
# Checks scripts/package on a stand-in for bootstrap (package_probe, same libraries):
# the zip's layout, RPATH, self-containment, that it runs with Lambda's LD_LIBRARY_PATH order,
# reproducibility, and that it refuses what would not load on provided.al2023.
# Usage: package_test.sh ROOT PROBE PROBE_NEW_GLIBC. Ends with "N passed, N failed".
set -uo pipefail # no -e: every check runs and is counted
root="$1" probe="$2" new_glibc="$3"

passed=0 failed=0
check() { # check NAME COMMAND...
  local name="$1"; shift
  if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); echo "ok - $name"
  else failed=$((failed + 1)); echo "not ok - $name"; fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/orders-package-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

log_a="$work/a.log"
check "scripts/package --binary packages the probe" \
  "$root/scripts/package" --binary "$probe" --out "$work/a/bootstrap.zip"
"$root/scripts/package" --binary "$probe" --out "$work/a/bootstrap.zip" 2>"$log_a" >/dev/null
check "it prints the zip's size" grep -Eq 'wrote .*bootstrap.zip \([0-9]+ bytes' "$log_a"
check "the debug info is split off beside the zip" test -s "$work/a/bootstrap.debug"

# The same input again, an instant later: the same bytes.
sleep 1
"$root/scripts/package" --binary "$probe" --out "$work/b/bootstrap.zip" >/dev/null 2>&1
check "the zip is reproducible (byte for byte)" cmp "$work/a/bootstrap.zip" "$work/b/bootstrap.zip"

listing=$(unzip -Z1 "$work/a/bootstrap.zip")
verbose=$(unzip -Z -l "$work/a/bootstrap.zip")
has() { grep -qx "$1" <<<"$listing"; }
check "bootstrap at the zip's root" has bootstrap
check "bootstrap is executable (0755)" grep -Eq '^-rwxr-xr-x .* bootstrap$' <<<"$verbose"
for lib in libcurl.so.4 libpq.so.5 libcjson.so.1 libssl.so.3 libcrypto.so.3 libz.so.1; do
  check "ships lib/$lib" has "lib/$lib"
done
no_glibc() { ! grep -Eq '^lib/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' <<<"$listing"; }
check "ships no glibc part (libc, libm, libpthread, libdl, librt, ld-linux)" no_glibc
no_npm() { ! grep -Eq 'node_modules|\.m?js$' <<<"$listing"; }
check "ships nothing from npm (no node_modules, no .js)" no_npm
fixed_entries() {
  ! grep -Eq '^d' <<<"$verbose" &&
    [ "$(grep -Ec ' 80-Jan-01 00:00 ' <<<"$verbose")" -eq "$(wc -l <<<"$listing")" ]
}
check "no directory entries, every entry dated 1980-01-01 00:00" fixed_entries

x="$work/x"
mkdir -p "$x" && unzip -q "$work/a/bootstrap.zip" -d "$x"
# shellcheck disable=SC2016 # $ORIGIN is the loader's, not the shell's
rpath_origin_lib() { readelf -d "$x/bootstrap" | grep -q '(RPATH).*\[\$ORIGIN/lib\]'; }
check "bootstrap's RPATH is \$ORIGIN/lib (DT_RPATH, searched before LD_LIBRARY_PATH)" rpath_origin_lib
# Lambda puts /lib64-like system directories first in LD_LIBRARY_PATH; ours must still win.
sysdirs=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64
check "runs from the unpacked zip with Lambda's LD_LIBRARY_PATH order" \
  env LD_LIBRARY_PATH="$sysdirs" "$x/bootstrap"
loaded=$(LD_LIBRARY_PATH="$sysdirs" LD_DEBUG=libs "$x/bootstrap" 2>&1 >/dev/null | grep 'calling init:')
for lib in libcurl.so.4 libpq.so.5 libcrypto.so.3; do
  check "$lib is loaded from the package, not the system" grep -q "calling init: $x/lib/$lib" <<<"$loaded"
done

# Paths as a caller gives them: relative to where it stands, with spaces.
mkdir -p "$work/with space"
cp "$probe" "$work/with space/probe"
relative_out() { (cd "$work/with space" && "$root/scripts/package" --binary probe --out "out dir/b.zip" && test -s "out dir/b.zip"); }
check "paths relative to the caller, with spaces" relative_out

# What must be refused.
refused() { # refused OUT ARGS...: scripts/package fails and leaves neither zip nor debug file
  local out="$1"; shift
  ! "$root/scripts/package" "$@" --out "$out" && [ ! -e "$out" ] && [ ! -e "${out%.zip}.debug" ]
}
check "refuses a binary needing glibc > 2.34 (arc4random, GLIBC_2.36)" \
  refused "$work/c/bootstrap.zip" --binary "$new_glibc"
touch "$work/not-executable"
check "refuses a file that is not executable" refused "$work/d/bootstrap.zip" --binary "$work/not-executable"
check "refuses an unknown option" refused "$work/e/bootstrap.zip" --bogus

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
