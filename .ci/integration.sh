#!/usr/bin/env bash
# Installs the app the way a hospital meets it, on both corners of the supported range:
# build the wheel and sdist, check their contents, then per corner a fresh venv, `wagtail start`,
# the WHEEL, the README's install blocks as written, migrate, runserver, and a complaint over HTTP.
#   .ci/integration.sh            both corners
#   .ci/integration.sh newest     one (lts | newest)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wc-integration.XXXXXX")
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
SECONDS=0

# corner: python version, pip requirements besides the wheel, port.
corner_python() { case $1 in lts) echo 3.11 ;; newest) echo "3.13 3.12" ;; esac; }
corner_pins() { case $1 in lts) echo "Django>=5.2,<5.3 wagtail>=7.4,<7.5" ;; newest) echo "" ;; esac; }
corner_port() { case $1 in lts) echo 8141 ;; newest) echo 8142 ;; esac; }

. .ci/find_python.sh

echo "== build the wheel and the sdist"
BUILD_PY=$(find_python 3.11 3.12 3.13)
"$BUILD_PY" -m venv "$WORK/build-venv"
"$WORK/build-venv/bin/python" -m pip install --quiet --upgrade pip build
# From a clean copy of the tracked files: nothing local (databases, e-mails, venvs) can leak in.
mkdir -p "$WORK/src"
git ls-files -z | xargs -0 cp --parents -t "$WORK/src"
"$WORK/build-venv/bin/python" -m build --outdir "$WORK/dist" "$WORK/src" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
"$WORK/build-venv/bin/python" tests/integration/check_dist.py "$WORK/dist" "$REPO"
WHEEL=$(ls "$WORK"/dist/*.whl)

run_corner() {
  local corner=$1 python port venv site
  python=$(find_python $(corner_python "$corner"))
  port=$(corner_port "$corner")
  venv="$WORK/$corner/venv"
  site="$WORK/$corner/site"
  echo "== corner $corner: $("$python" --version)"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  # shellcheck disable=SC2046
  "$venv/bin/python" -m pip install --quiet "$WHEEL" $(corner_pins "$corner")
  "$venv/bin/python" -c 'import django, wagtail, sys; print(f"   Python {sys.version.split()[0]}, Django {django.get_version()}, Wagtail {wagtail.__version__}")'
  # -I: not from the checkout this script runs in, only what the wheel installed.
  ! "$venv/bin/python" -I -c 'import example_site' 2>/dev/null || { echo "the wheel installed example_site"; exit 1; }

  mkdir -p "$site"
  (cd "$site" && "$venv/bin/wagtail" start hospital . >/dev/null)
  # The README's blocks, exactly as users paste them.
  "$venv/bin/python" tests/integration/README_blocks.py README.md settings >>"$site/hospital/settings/base.py"
  "$venv/bin/python" tests/integration/README_blocks.py README.md urls >>"$site/hospital/urls.py"
  # The test's own mailbox: e-mails as files it can read.
  printf '\nEMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"\nEMAIL_FILE_PATH = %s\n' \
    "\"$site/sent_emails\"" >>"$site/hospital/settings/dev.py"

  (
    cd "$site"
    "$venv/bin/python" manage.py check --fail-level WARNING
    "$venv/bin/python" manage.py makemigrations --check --dry-run >/dev/null
    "$venv/bin/python" manage.py migrate --no-input >/dev/null
    "$venv/bin/python" manage.py shell <"$REPO/tests/integration/site_setup.py" | tee "$WORK/$corner/setup.out"
  )
  local form_url
  form_url=$(sed -n 's/^FORM_URL=//p' "$WORK/$corner/setup.out")

  (cd "$site" && exec "$venv/bin/python" manage.py runserver "127.0.0.1:$port" --noreload >"$WORK/$corner/server.log" 2>&1) &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if "$venv/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/admin/login/', timeout=2)" 2>/dev/null; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/$corner/server.log"; exit 1; fi
    sleep 0.5
  done
  if ! "$venv/bin/python" tests/integration/journey.py "http://127.0.0.1:$port" "$form_url" "$site/sent_emails"; then
    echo "-- server log"; tail -50 "$WORK/$corner/server.log"; exit 1
  fi
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  echo "== corner $corner passed (${SECONDS}s so far)"
}

for corner in "${@:-lts newest}"; do
  for one in $corner; do run_corner "$one"; done
done
echo "== integration passed in ${SECONDS}s"
