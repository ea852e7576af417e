#!/usr/bin/env bash
# install-files.sh FROM TO: makes FROM (a file, or every file of a directory) present and identical in directory
# TO without ever writing into a file of TO: a changed file is written beside it and renamed over it, an
# unchanged one is left alone. A running program keeps the file it started from: amphorae execute
# var/bin/octavia-amphora-agent (`cp` over it fails with "Text file busy"), and a .dll rewritten in place
# would change under the processes that map it.
set -euo pipefail
from=$(realpath "$1")
to=$(realpath -m "$2")
mkdir -p "$to"
if [ -f "$from" ]; then
  cd "$(dirname "$from")"
  set -- "./$(basename "$from")"
else
  cd "$from"
  mapfile -d '' files < <(find . -type f -print0)
  set -- "${files[@]}"
fi
for rel in "$@"; do
  target="$to/$rel"
  if ! cmp -s "$rel" "$target"; then
    mkdir -p "$(dirname "$target")"
    cp "$rel" "$target.new.$$"
    mv -f "$target.new.$$" "$target"
  fi
done
