#!/usr/bin/env bash
# Ensures PostgreSQL server binaries from Debian's packages are present (tests start their own servers).
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "PostgreSQL is not installed and this is not root: apt-get install postgresql" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
# Debian starts a cluster on install; tests use their own, on other ports.
service postgresql stop >/dev/null 2>&1 || true
