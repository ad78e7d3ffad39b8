#!/usr/bin/env bash
# shellcheck disable=SC2317  # the property functions are called through prop()
# Checks one ELF executable's hardening, printing "ok"/"not ok" per property:
# PIE, full RELRO (GNU_RELRO + BIND_NOW), a non-executable stack, the stack
# protector (__stack_chk_fail imported) and FORTIFY (a __*_chk function imported).
# Usage: check_elf.sh FILE. Exit 0 when every property holds, 1 otherwise.
set -uo pipefail
f="${1:?usage: check_elf.sh FILE}"
command -v readelf >/dev/null || { echo "readelf not found: run scripts/deps" >&2; exit 2; }

header=$(readelf -hW "$f") || exit 2
segments=$(readelf -lW "$f")
dynamic=$(readelf -dW "$f")
dynsyms=$(readelf --dyn-syms -W "$f")

bad=0
prop() { # prop NAME COMMAND...
  local name="$1"; shift
  if "$@"; then echo "ok - $name"; else echo "not ok - $name"; bad=1; fi
}
pie() { grep -Eq 'Type: +DYN' <<<"$header" && grep -Eq 'FLAGS_1.*\bPIE\b' <<<"$dynamic"; }
relro() { grep -Eq '^ +GNU_RELRO ' <<<"$segments"; }
bind_now() { grep -Eq '\(FLAGS\).*\bBIND_NOW\b|\(FLAGS_1\).*\bNOW\b' <<<"$dynamic"; }
nx_stack() { grep -Eq '^ +GNU_STACK .* RW +0x' <<<"$segments"; }
canary() { grep -Eq ' __stack_chk_fail(@|$)' <<<"$dynsyms"; }
fortify() { grep -Eq ' __[a-z_]+_chk(@|$)' <<<"$dynsyms"; }

prop "PIE (ET_DYN with DF_1_PIE)" pie
prop "RELRO (a GNU_RELRO segment)" relro
prop "BIND_NOW (full RELRO: the GOT is read-only after start)" bind_now
prop "non-executable stack (GNU_STACK RW, not RWE)" nx_stack
prop "stack protector (__stack_chk_fail imported)" canary
prop "FORTIFY_SOURCE (__*_chk functions imported)" fortify
exit "$bad"
