#!/usr/bin/env bash
# Builds a libFuzzer target with clang (ASan + UBSan) and runs it for a bounded time on its seed
# corpus. A crash, a leak or a timeout found is a failing test. Usage: run.sh NAME OUTDIR SECONDS
set -euo pipefail
name="$1" out="$2" seconds="${3:-20}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$out/$name.corpus"
cp -n "$root/tests/fuzz/corpus/$name/"* "$out/$name.corpus/" 2>/dev/null || true
case "$name" in
  token) sources=("$root/common/jwt.cpp" "$root/common/sha256.cpp"); libs=(-lcrypto) ;;
  # The common-password list is compiled from domain/identity/common_passwords.txt by CMake
  # into the build directory that OUTDIR lives in.
  request) sources=("$root/domain/identity/user.cpp" "$root/domain/identity/events.cpp" "$root/domain/core/event.cpp"
                   "$root/domain/core/categories.cpp" "$root/domain/core/text.cpp"
                   "$out/../domain/identity/common_passwords.cpp"); libs=() ;;
  # Beast is header-only: the request reader and the framing rules are all this target needs.
  wire) sources=("$root/api/http/reader.cpp" "$root/api/http/wire.cpp" "$root/api/http/problem.cpp"); libs=() ;;
  *) echo "unknown fuzz target $name" >&2; exit 2 ;;
esac
clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I"$root" \
  "$root/tests/fuzz/${name}_fuzz.cpp" "${sources[@]}" "${libs[@]}" -o "$out/${name}_fuzz"
cd "$out"
"./${name}_fuzz" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$out/$name-" "$name.corpus"
