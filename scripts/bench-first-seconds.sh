#!/usr/bin/env bash
# The first seconds after a start (docs/benchmarks.md, "Round two"): starts the server
# on a copy of one quickstart data directory, and the moment it serves, runs the C load generator
# (../shared/tools/estload, or ESTLOAD=path) for SECONDS; once per variant, the variants alternating,
# RUNS times; prints the median requests/s of each. Loopback only.
#   scripts/bench-first-seconds.sh [--runs 3] [--seconds 15] [--concurrency 16] [--mode newconn|keepalive]
#                                  [--variants "plain aot"] [--tls auto|jdk|conscrypt]
# Variants: plain = java with the launcher's flags ($server_jvm, scripts/lib-estload.sh) -jar; aot = the same with -XX:AOTCache=<the launcher's cache>
# and the flags the launcher adds beside it (estuary_aot_flags, scripts/lib-jvm.sh: on JDK 25 the
# eager compilation); aotlazy = the cache alone (JDK 25; the launcher trains the cache when it
# builds the jar: ./estuary aot). A variant may name its TLS
# provider after a dash (plain-jdk, aot-conscrypt, ...); one without runs on --tls (default auto).
# A second dash names [keys] signatures (aot-auto-bouncycastle, aot-auto-conscrypt); without: auto.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=3; seconds=15; concurrency=16; mode=newconn; variants="plain aot"; tls=auto
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2;;
    --seconds) seconds=$2; shift 2;;
    --concurrency) concurrency=$2; shift 2;;
    --mode) mode=$2; shift 2;;
    --variants) variants=$2; shift 2;;
    --tls) tls=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
. "$root/scripts/lib-estload.sh"
build_server   # the jar, and its AOT cache where the launcher would use one
. "$root/scripts/lib-tls.sh"
. "$root/.mvn/select-jdk.sh" && estuary_select_jdk >/dev/null
java=${JAVA_HOME:+$JAVA_HOME/bin/java}; java=${java:-java}
feature=$(estuary_java_feature "${JAVA_HOME:-/nonexistent}")
jar=$root/cli/target/estuary-all.jar
aot=${jar%.jar}.aot
data=$(mktemp -d /tmp/estuary-first.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT
# One quickstart, made once: every run starts from a copy, so no run pays for key generation.
"$java" $server_jvm -jar "$jar" server --quickstart --data-dir "$data/template" --est-port 0 --admin-port 0 > "$data/template.log" 2>&1 &
p=$!
for _ in $(seq 1 240); do grep -q "serving EST" "$data/template.log" && break; sleep 0.5; done
kill $p; wait $p 2>/dev/null || true
pw=$(quickstart_password "$data/template")
flags=-q; [ "$mode" = keepalive ] && flags="-q -k"
for i in $(seq 1 "$runs"); do
  for v in $variants; do
    rm -rf "$data/run"; cp -a "$data/template" "$data/run"
    IFS=- read -r _ provider signatures <<< "$v"
    tls_provider "$data/run/server.toml" "${provider:-$tls}"
    signature_engine "$data/run/server.toml" "${signatures:-auto}"
    case ${v%%-*} in
      aot) opts="-XX:AOTCache=$aot $(estuary_aot_flags "$feature")";;
      aotlazy) opts="-XX:AOTCache=$aot";;
      *) opts=;;
    esac
    start=$(date +%s.%N)
    "$java" $server_jvm $opts -jar "$jar" server --quickstart --data-dir "$data/run" --est-port 0 --admin-port 0 > "$data/run.log" 2>&1 &
    p=$!
    for _ in $(seq 1 2400); do grep -q "serving EST" "$data/run.log" && break; sleep 0.05; done
    ready=$(date +%s.%N)
    port=$(quickstart_port "$data/run.log")
    line=$("$estload" -H 127.0.0.1 -p "$port" -C "$data/run/root-ca.pem" -u "estuary:$pw" -c "$concurrency" -d "$seconds" -n 1000000 -K 512 $flags)
    kill $p; wait $p 2>/dev/null || true
    echo "$v run=$i provider=$(sed -n 's/.*TLS on \([A-Za-z]*\).*/\1/p' "$data/run.log" | head -n 1) start_s=$(echo "$ready - $start" | bc) $line"
  done
done | tee "$data/results"
echo "median requests/s over the first ${seconds}s ($mode, concurrency $concurrency):"
for v in $variants; do
  printf '  %-24s start %5ss  %8s/s\n' "$v" \
    "$(grep "^$v " "$data/results" | sed 's/.*start_s=\([0-9.]*\).*/\1/' | median)" \
    "$(grep "^$v " "$data/results" | sed 's/.*rps=\([0-9.]*\).*/\1/' | median)"
done
