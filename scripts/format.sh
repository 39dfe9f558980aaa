#!/usr/bin/env bash
# Formats every C++ file of the project with .clang-format (Debian's clang-format 14).
#   bash scripts/format.sh          # rewrite in place
#   bash scripts/format.sh --check  # list files that need formatting; exit 1 if any
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.hpp' '*.cc')
if [ "${1:-}" = "--check" ]; then
  bad=0
  for f in "${files[@]}"; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then echo "$f"; bad=1; fi
  done
  exit $bad
fi
clang-format -i "${files[@]}"
