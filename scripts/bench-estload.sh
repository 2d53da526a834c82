#!/usr/bin/env bash
# The table of docs/benchmarks.md, "Round two": the C load generator (../shared/tools/estload, or
# ESTLOAD=path) against a fresh quickstart on H2. Warms the server with kept-alive enrollments, then
# alternates short kept-alive and new-connection runs, RUNS of each, and prints the medians, the
# server's CPU per enrollment and its peak RSS; then, unless --no-first-seconds, the first seconds
# after a start (scripts/bench-first-seconds.sh, with and without the AOT cache) in both modes.
# Loopback only; every run is bounded.
#   scripts/bench-estload.sh [--runs 5] [--seconds 10] [--warmup 40] [--concurrency 16]
#                            [--tls auto|jdk|conscrypt] [--java-bench] [--no-first-seconds]
#                            [--jvm-opts "..."]   (the server's JVM flags; by default the launcher's,
#                                                  its AOT cache included when it would use one)
# --java-bench also runs `estuary bench` (the Java client) with the same concurrency, interleaved:
# kept-alive, new connection with a full handshake, and new connection resuming its TLS session
# (--resume; estload has no resumption). Server CPU per enrollment from /proc for each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=5; seconds=10; warmup=40; concurrency=16; tls=auto; javabench=; first=yes; jvm=
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2;;
    --seconds) seconds=$2; shift 2;;
    --warmup) warmup=$2; shift 2;;
    --concurrency) concurrency=$2; shift 2;;
    --tls) tls=$2; shift 2;;
    --java-bench) javabench=yes; shift;;
    --no-first-seconds) first=; shift;;
    --jvm-opts) jvm=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
. "$root/scripts/lib-estload.sh"
build_server   # the jar, and its AOT cache where the launcher would use one
. "$root/scripts/lib-tls.sh"
. "$root/.mvn/select-jdk.sh" && estuary_select_jdk >/dev/null
java=${JAVA_HOME:+$JAVA_HOME/bin/java}; java=${java:-java}
jar=$root/cli/target/estuary-all.jar
if [ -z "$jvm" ]; then # the launcher's flags: with its AOT cache where it would use one
  jvm=$server_jvm
  aot=${jar%.jar}.aot; feature=$(estuary_java_feature "${JAVA_HOME:-/nonexistent}")
  if estuary_aot_usable "$aot" "$jar" "$feature"; then
    jvm="$jvm -XX:AOTCache=$aot $(estuary_aot_flags "$feature")"
  fi
fi
data=$(mktemp -d /tmp/estuary-estload.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT

"$java" $jvm -jar "$jar" server --quickstart --data-dir "$data/qs" --est-port 0 --admin-port 0 > "$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 240); do grep -q "serving EST" "$data/server.log" && break; sleep 0.5; done
if [ "$tls" != auto ]; then
  kill $server; wait $server 2>/dev/null || true
  tls_provider "$data/qs/server.toml" "$tls"
  : > "$data/server.log"
  "$java" $jvm -jar "$jar" server --quickstart --data-dir "$data/qs" --est-port 0 --admin-port 0 > "$data/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do grep -q "serving EST" "$data/server.log" && break; sleep 0.5; done
fi
port=$(quickstart_port "$data/server.log")
pw=$(quickstart_password "$data/qs")
load() { "$estload" -H 127.0.0.1 -p "$port" -C "$data/qs/root-ca.pem" -u "estuary:$pw" -c "$concurrency" -n 10000000 -K 512 -q "$@"; }

echo "warming up: ${warmup}s kept-alive, then $((warmup / 2))s new-connection (discarded)" >&2
load -k -d "$warmup" > /dev/null
load -d "$((warmup / 2))" > /dev/null
for i in $(seq 1 "$runs"); do
  for mode in keepalive newconn; do
    flags=; [ "$mode" = keepalive ] && flags=-k
    c0=$(proc_cpu_s "$server")
    line=$(load $flags -d "$seconds")
    c1=$(proc_cpu_s "$server")
    ok=$(echo "$line" | sed 's/.* ok=\([0-9]*\).*/\1/')
    echo "estload $mode run=$i server_cpu_ms_per_op=$(echo "scale=3; 1000 * ($c1 - $c0) / ($ok + 0.0001)" | bc) $line"
  done
  if [ -n "$javabench" ]; then
    for mode in keepalive newconn resumed; do
      case $mode in keepalive) flags=;; newconn) flags=--new-connection;; resumed) flags="--new-connection --resume";; esac
      c0=$(proc_cpu_s "$server")
      "$java" -Xmx512m -jar "$jar" bench --quickstart "$data/qs" --scenario enroll --auth basic $flags \
        --concurrency "$concurrency" --duration "${seconds}s" --warmup 1s --json "$data/jb.json" > /dev/null 2>&1 || true
      c1=$(proc_cpu_s "$server")
      python3 - "$data/jb.json" "$mode" "$i" "$c0" "$c1" <<'PY' || true
import json, sys
r = json.load(open(sys.argv[1]))
cpu = 1000 * (float(sys.argv[5]) - float(sys.argv[4])) / max(r['ok'], 1)  # includes the 1 s warm-up
print(f"java-bench {sys.argv[2]} run={sys.argv[3]} server_cpu_ms_per_op={cpu:.3f} rps={r['throughput']:.1f} p50_ms={r['p50_ms']:.2f} p99_ms={r['p99_ms']:.2f} err={r['errors']}")
PY
    done
  fi
done | tee "$data/results"
rss=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$server/status")

echo
echo "medians of $runs runs of ${seconds}s, concurrency $concurrency, TLS $tls, H2, after ${warmup}s of warm-up:"
printf '  %-26s %9s %8s %8s %8s %12s\n' client/mode "req/s" "p50 ms" "p99 ms" errors "srv cpu ms/op"
for mode in keepalive newconn; do
  printf '  %-26s %9s %8s %8s %8s %12s\n' "estload $mode" "$(col estload $mode rps)" "$(col estload $mode p50_ms)" \
    "$(col estload $mode p99_ms)" "$(col estload $mode err)" "$(col estload $mode server_cpu_ms_per_op)"
done
if [ -n "$javabench" ]; then
  for mode in keepalive newconn resumed; do
    printf '  %-26s %9s %8s %8s %8s %12s\n' "estuary bench $mode" "$(col java-bench $mode rps)" \
      "$(col java-bench $mode p50_ms)" "$(col java-bench $mode p99_ms)" "$(col java-bench $mode err)" \
      "$(col java-bench $mode server_cpu_ms_per_op)"
  done
fi
echo "  server peak RSS: $((rss / 1024)) MiB (VmHWM; JVM flags: $jvm)"
kill $server; wait $server 2>/dev/null || true

if [ -n "$first" ]; then
  echo
  ESTLOAD=$estload "$root/scripts/bench-first-seconds.sh" --runs 3 --seconds 15 --concurrency "$concurrency" --mode newconn --tls "$tls"
  ESTLOAD=$estload "$root/scripts/bench-first-seconds.sh" --runs 3 --seconds 15 --concurrency "$concurrency" --mode keepalive --tls "$tls"
fi
