#!/usr/bin/env bash
# Two builds side by side: the estuary jar of A and of B each serve a fresh quickstart (H2) at the
# same time; both are warmed, then the C load generator (../shared/tools/estload, or ESTLOAD=path)
# alternates short runs between them, so both see the same machine. Prints the medians and the
# servers' CPU per enrollment. Loopback only; every run is bounded.
#   scripts/bench-ab.sh A.jar B.jar [--runs 5] [--seconds 10] [--warmup 40] [--concurrency 16]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar_a=$1; jar_b=$2; shift 2
runs=5; seconds=10; warmup=40; concurrency=16
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2;;
    --seconds) seconds=$2; shift 2;;
    --warmup) warmup=$2; shift 2;;
    --concurrency) concurrency=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
. "$root/scripts/lib-estload.sh"
. "$root/.mvn/select-jdk.sh" && estuary_select_jdk >/dev/null
java=${JAVA_HOME:+$JAVA_HOME/bin/java}; java=${java:-java}
data=$(mktemp -d /tmp/estuary-ab.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT
declare -A pid port pw
for v in a b; do
  jar=$jar_a; [ $v = b ] && jar=$jar_b
  "$java" -Xmx256m -XX:TrimNativeHeapInterval=5000 -jar "$jar" server --quickstart --data-dir "$data/$v" \
    --est-port 0 --admin-port 0 > "$data/$v.log" 2>&1 &
  pid[$v]=$!
  for _ in $(seq 1 240); do grep -q "serving EST" "$data/$v.log" && break; sleep 0.5; done
  port[$v]=$(sed -n 's/.*serving EST on 127.0.0.1:\([0-9]*\).*/\1/p' "$data/$v.log" | head -n 1)
  pw[$v]=$(sed -n 's/.*"basic_password" : "\(.*\)".*/\1/p' "$data/$v/quickstart.json")
done
load() { local v=$1; shift
  "$estload" -H 127.0.0.1 -p "${port[$v]}" -C "$data/$v/root-ca.pem" -u "estuary:${pw[$v]}" -c "$concurrency" -n 10000000 -K 512 -q "$@"; }
cpu_s() { awk '{print ($14 + $15) / 100}' "/proc/${pid[$1]}/stat"; }
for v in a b; do
  echo "warming $v: ${warmup}s kept-alive, $((warmup / 2))s new-connection" >&2
  load $v -k -d "$warmup" > /dev/null; load $v -d "$((warmup / 2))" > /dev/null
done
for i in $(seq 1 "$runs"); do
  for mode in keepalive newconn; do
    for v in a b; do
      flags=; [ "$mode" = keepalive ] && flags=-k
      c0=$(cpu_s $v); line=$(load $v $flags -d "$seconds"); c1=$(cpu_s $v)
      ok=$(echo "$line" | sed 's/.* ok=\([0-9]*\).*/\1/')
      echo "$v $mode run=$i server_cpu_ms_per_op=$(echo "scale=3; 1000 * ($c1 - $c0) / ($ok + 0.0001)" | bc) $line"
    done
  done
done | tee "$data/results"
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }
col() { grep "^$1 $2 " "$data/results" | sed -n "s/.* $3=\([0-9.]*\).*/\1/p" | median; }
echo
echo "medians of $runs alternating runs of ${seconds}s, concurrency $concurrency, H2, JDK TLS (A: $jar_a, B: $jar_b):"
printf '  %-14s %9s %8s %8s %13s\n' build/mode "req/s" "p50 ms" "p99 ms" "srv cpu ms/op"
for mode in keepalive newconn; do
  for v in a b; do
    printf '  %-14s %9s %8s %8s %13s\n' "$v $mode" "$(col $v $mode rps)" "$(col $v $mode p50_ms)" \
      "$(col $v $mode p99_ms)" "$(col $v $mode server_cpu_ms_per_op)"
  done
done
