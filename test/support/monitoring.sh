#!/usr/bin/env bash
# Ensures the monitoring tools the health-monitor tests run for real are present, from Debian's packages:
# promtool and the Prometheus server (`prometheus`), postgres_exporter (`prometheus-postgres-exporter`),
# redis_exporter (`prometheus-redis-exporter`), the Pushgateway restore drills push to
# (`prometheus-pushgateway`) and Redis (`redis-server`). The tests start their own
# servers on loopback ports and stop them; the services the packages start on install are stopped here.
set -euo pipefail
needed=()
command -v promtool >/dev/null 2>&1 || needed+=(prometheus)
command -v prometheus >/dev/null 2>&1 || needed+=(prometheus)
command -v prometheus-postgres-exporter >/dev/null 2>&1 || needed+=(prometheus-postgres-exporter)
command -v prometheus-redis-exporter >/dev/null 2>&1 || needed+=(prometheus-redis-exporter)
command -v prometheus-pushgateway >/dev/null 2>&1 || needed+=(prometheus-pushgateway)
command -v redis-server >/dev/null 2>&1 || needed+=(redis-server)
if [ "${#needed[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "missing ${needed[*]} and this is not root: apt-get install ${needed[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Recommends would pull in node_exporter, Alertmanager and more that no test runs.
apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
for service in prometheus prometheus-postgres-exporter prometheus-redis-exporter prometheus-pushgateway redis-server; do
  service "$service" stop >/dev/null 2>&1 || true
done
