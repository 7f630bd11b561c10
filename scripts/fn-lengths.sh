#!/usr/bin/env bash
# Lines of Rust functions and files at a commit, for the size tables in
# docs/architecture.md.
#   scripts/fn-lengths.sh COMMIT path/file.rs[:fn_name] ...
# A function's length runs from its `fn name` line to the closing brace at
# the same indentation, both included; without :fn_name the file's lines.
# A missing file or function prints "-".
set -eu
commit=$1; shift
for spec in "$@"; do
  path=${spec%%:*}
  name=
  [[ $spec == *:* ]] && name=${spec#*:}
  if ! text=$(git show "$commit:$path" 2>/dev/null); then
    printf '%s\t-\n' "$spec"; continue
  fi
  if [[ -z $name ]]; then
    printf '%s\t%s\n' "$spec" "$(printf '%s\n' "$text" | wc -l)"; continue
  fi
  n=$(printf '%s\n' "$text" | awk -v name="$name" '
    !start && match($0, "^[[:space:]]*(pub(\\([^)]*\\))? )?fn " name "[<(]") {
      start = NR; match($0, /^[[:space:]]*/); indent = substr($0, 1, RLENGTH); next
    }
    start && $0 == indent "}" { print NR - start + 1; exit }')
  printf '%s\t%s\n' "$spec" "${n:--}"
done
