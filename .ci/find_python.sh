# Sourced by .ci/integration.sh and the Makefile: find_python 3.13 3.12 prints an interpreter of the
# first of those versions present: pyenv's (as on these machines), else one on PATH.
find_python() {
  local minor version
  for minor in "$@"; do
    if command -v pyenv >/dev/null 2>&1; then
      version=$(pyenv versions --bare 2>/dev/null | grep -E "^${minor//./\\.}(\.[0-9]+)?$" | sort -V | tail -1 || true)
      if [ -n "$version" ]; then echo "$(pyenv prefix "$version")/bin/python"; return; fi
    fi
    if command -v "python$minor" >/dev/null 2>&1 && "python$minor" -c 'import venv' 2>/dev/null; then
      command -v "python$minor"; return
    fi
  done
  echo "no Python $* found: install one with pyenv (pyenv install $1) or your distribution's python$1" >&2
  return 1
}
