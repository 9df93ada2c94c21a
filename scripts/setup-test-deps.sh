#!/usr/bin/env bash
# Installs the Debian packages the tests need, when they are missing:
#   chromium        the real browser the end-to-end tests drive (never a downloaded one)
#   docker-compose  validates docker-compose.yml (no Docker engine is needed for that)
#   redis-server    the shared token store; the tests start their own on loopback ports
#   postgresql      the identities' database; the tests start their own (initdb, pg_ctl) on loopback ports
#   fonts           Chinese and emoji glyphs, so the screenshots show WeChat's pages as they are
# Safe to run again: it installs nothing that is already there.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# Debian keeps PostgreSQL's programs off PATH, in /usr/lib/postgresql/<version>/bin.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
for font in fonts-wqy-microhei fonts-noto-color-emoji; do
  dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q 'ok installed' || missing+=("$font")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "The tests need these Debian packages: ${missing[*]}." >&2
  echo "Install them as root (apt-get install ${missing[*]}) and run the tests again." >&2
  exit 1
fi
as_root=()
[ "$(id -u)" -ne 0 ] && as_root=(sudo)

echo "Installing ${missing[*]} for the tests (once)..."
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
