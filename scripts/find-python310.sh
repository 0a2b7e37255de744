#!/usr/bin/env bash
# Print the path of a working Python 3.10 (Rasa 3.6 runs on 3.8-3.10 only), or explain what to install.
set -u
candidates=()
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
else
  root="${PYENV_ROOT:-$HOME/.pyenv}"
fi
for p in "$root"/versions/3.10*/bin/python3.10; do
  [ -x "$p" ] && candidates+=("$p")
done
for p in "${candidates[@]}"; do
  # A pyenv shim exists even when 3.10 is not selected; only accept one that really runs.
  if "$p" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    echo "$p"
    exit 0
  fi
done
echo "error: Python 3.10 not found. Rasa 3.6 needs Python 3.10: install it (e.g. 'pyenv install 3.10'" \
  "or your system's python3.10 and python3.10-venv packages) and run make again." >&2
exit 1
