#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what is missing, then `dotnet test`.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Pricing]
set -euo pipefail
cd "$(dirname "$0")"

need_root() { [ "$(id -u)" = 0 ] && "$@" || sudo "$@"; }

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK is not on PATH (global.json pins $(grep -o '"version": "[^"]*"' global.json))." >&2
  exit 2
fi

# Servers the suite needs are installed here as later layers arrive (PostgreSQL, Chromium; RabbitMQ with the cluster).
# PostgreSQL: the persistence tests and the journal benchmark start their own private server from these binaries
# (initdb in a temporary directory, a free port); the cluster Debian's package may create and start is never used.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  echo "test.sh: installing PostgreSQL server binaries (Debian package postgresql)" >&2
  need_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

# Chromium: the dashboard's browser test (tests/CrossMargin.Dashboard.Tests) drives Debian's Chromium through Playwright
# (Playwright's own browser download needs the internet, which these machines do not have).
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing Chromium (Debian package chromium)" >&2
  need_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# RabbitMQ: the transport tests and the rabbit benchmark start their own private node from these binaries (own node
# name, cookie and directories owned by rabbitmq, free ports, the sharding and consistent-hash exchange plugins); the
# system node is never used. tests/CrossMargin.Deploy.Tests does the same through deploy/cluster.sh (both servers).
# The TLS tests' node also enables rabbitmq_auth_mechanism_ssl, which ships in the same package (nothing more to install).
if [ ! -x /usr/sbin/rabbitmq-server ]; then
  echo "test.sh: installing RabbitMQ server binaries (Debian package rabbitmq-server)" >&2
  need_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  need_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test CrossMargin.sln -c Release --logger "trx" --results-directory "$results" "$@" || status=$?

# One closing line, summed over every test project, so a reader (or CI) sees the totals at a glance.
passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); f2=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$line"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f2:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
echo "Total: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then echo "test.sh: no test ran" >&2; exit 1; fi
exit "$status"
