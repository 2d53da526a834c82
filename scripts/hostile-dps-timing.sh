#!/bin/sh
# Times the issue-10 attack on the DPS path: an unauthenticated PUT (no client certificate) to a
# made-up ID scope whose JSON "csr" holds an RSA key with a 16384-bit modulus and a 16384-bit
# exponent. Starts a quickstart server on free ports in a temporary directory, sends the body
# N times one after another (curl, time_total), then PARALLEL at once with a cacerts GET timed
# among them, prints the timings and stops the server.
#
#   scripts/hostile-dps-timing.sh [N] [PARALLEL]       ESTUARY_JAR=... runs another build
#
# docs/benchmarks.md ("Hostile input on the DPS path") has the numbers.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/select-jdk.sh"
estuary_select_jdk || exit 1
n=${1:-5}
parallel=${2:-8}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
"$JAVA_HOME/bin/java" "$root/scripts/HostileCsr.java" victim "$work"
port=$(( 20000 + $$ % 20000 ))
(cd "$work" && exec "$root/estuary" server --quickstart --data-dir "$work/data" --est-port $port --admin-port 0 >"$work/server.log" 2>&1) &
server=$!
for i in $(seq 1 120); do
  [ -f "$work/data/quickstart.json" ] && curl -sk -o /dev/null "https://127.0.0.1:$port/.well-known/est/cacerts" && break
  sleep 0.5
done
put() {
  curl -sk -o "$work/answer.$1" -w '%{http_code} %{time_total}\n' -X PUT -H 'Content-Type: application/json' \
    --data-binary "@$work/rsa16384.json" "https://127.0.0.1:$port/made-up-scope/registrations/victim/register?api-version=2021-06-01"
}
echo "sequential: status, seconds"
for i in $(seq 1 "$n"); do put "$i"; done
echo "answer: $(cat "$work/answer.1")"
echo "$parallel in parallel, with one cacerts GET among them: status, seconds"
pids=
for i in $(seq 1 "$parallel"); do put "p$i" > "$work/par.$i" & pids="$pids $!"; done
curl -sk -o /dev/null -w 'cacerts %{http_code} %{time_total}\n' "https://127.0.0.1:$port/.well-known/est/cacerts"
for p in $pids; do wait "$p" || true; done
cat "$work"/par.*
