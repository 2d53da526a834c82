#!/usr/bin/env bash
# Estuary beside libest's example EST server (docs/benchmarks.md, "Round four"): the same C load
# generator (../shared/tools/estload, or ESTLOAD=path), the same flags, runs alternating between the
# two servers in one session, so both see the same machine. Estuary serves a fresh quickstart (H2),
# warmed first; libest's estserver is started afresh for each run (its example CA keeps an OpenSSL
# `ca` database that grows with every enrollment and is read again on every request: let CMD start
# it on a fresh copy of the small one createCA.sh made, libest's best case). Prints the
# medians, each server's CPU per enrollment, and Estuary's rate over libest's. Loopback only; every
# run is bounded. libest is not part of Estuary: build it yourself (https://github.com/cisco/libest,
# `./configure && make`, then example/server/createCA.sh) and pass a command that starts its
# estserver in the foreground on the port given as its last argument, on 127.0.0.1, HTTP Basic on.
#   scripts/bench-libest.sh --estserver "CMD" --ca CACERT.pem [--user estuser:estpwd] [--runs 5]
#                           [--seconds 10] [--warmup 40] [--concurrency 16] [--modes "newconn keepalive"]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
estserver=; ca=; user=estuser:estpwd; runs=5; seconds=10; warmup=40; concurrency=16; modes="newconn keepalive"
while [ $# -gt 0 ]; do
  case "$1" in
    --estserver) estserver=$2; shift 2;;
    --ca) ca=$2; shift 2;;
    --user) user=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    --seconds) seconds=$2; shift 2;;
    --warmup) warmup=$2; shift 2;;
    --concurrency) concurrency=$2; shift 2;;
    --modes) modes=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
if [ -z "$estserver" ] || [ ! -f "$ca" ]; then
  echo "--estserver (a command starting libest's estserver; the port is appended) and --ca (its CA certificate, PEM) are needed" >&2
  exit 2
fi
. "$root/scripts/lib-estload.sh"
"$root/estuary" --version >/dev/null   # builds the jar if needed
. "$root/.mvn/select-jdk.sh" && estuary_select_jdk >/dev/null
java=${JAVA_HOME:+$JAVA_HOME/bin/java}; java=${java:-java}
data=$(mktemp -d /tmp/estuary-libest.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT
"$java" $server_jvm -jar "$root/cli/target/estuary-all.jar" server --quickstart \
  --data-dir "$data/qs" --est-port 0 --admin-port 0 > "$data/estuary.log" 2>&1 &
estuary_pid=$!
for _ in $(seq 1 240); do grep -q "serving EST" "$data/estuary.log" && break; sleep 0.5; done
estuary_port=$(quickstart_port "$data/estuary.log")
pw=$(quickstart_password "$data/qs")
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
load() { # server flags...
  if [ "$1" = estuary ]; then
    shift; "$estload" -H 127.0.0.1 -p "$estuary_port" -C "$data/qs/root-ca.pem" -u "estuary:$pw" -c "$concurrency" -n 10000000 -K 512 -q "$@"
  else
    shift; "$estload" -H 127.0.0.1 -p "$libest_port" -C "$ca" -u "$user" -c "$concurrency" -n 10000000 -K 512 -q "$@"
  fi
}
echo "warming estuary: ${warmup}s kept-alive, $((warmup / 2))s new-connection" >&2
load estuary -k -d "$warmup" > /dev/null; load estuary -d "$((warmup / 2))" > /dev/null
for i in $(seq 1 "$runs"); do
  for mode in $modes; do
    flags=; [ "$mode" = keepalive ] && flags=-k
    for server in estuary libest; do
      if [ $server = estuary ]; then
        p=$estuary_pid
      else
        libest_port=$(free_port) # a port of its own each time: the last one may still be in TIME_WAIT
        # SIGPIPE ignored (inherited through exec): the example server otherwise dies when a client
        # closes a connection it is still writing to, as estload's do at the end of a run.
        # shellcheck disable=SC2086
        (trap '' PIPE; exec $estserver "$libest_port") > "$data/libest.log" 2>&1 &
        p=$!
        for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$libest_port") 2>/dev/null && break; sleep 0.1; done
        if ! kill -0 $p 2>/dev/null; then
          echo "libest's estserver did not start on port $libest_port:" >&2; cat "$data/libest.log" >&2; exit 1
        fi
      fi
      c0=$(proc_cpu_s $p)
      # shellcheck disable=SC2086
      line=$(load $server $flags -d "$seconds")
      c1=$(proc_cpu_s $p)
      [ $server = estuary ] || { kill $p; wait $p 2>/dev/null || true; }
      ok=$(echo "$line" | sed 's/.*ok=\([0-9]*\).*/\1/')
      echo "$server $mode run=$i server_cpu_ms_per_op=$(echo "scale=3; 1000 * ($c1 - $c0) / ($ok + 0.0001)" | bc) $line"
    done
  done
done | tee "$data/results"
echo
echo "medians of $runs alternating runs of ${seconds}s, concurrency $concurrency (Estuary: quickstart, H2; libest: $estserver):"
printf '  %-20s %9s %8s %8s %13s %9s\n' server/mode "req/s" "p50 ms" "p99 ms" "srv cpu ms/op" "estuary/libest"
for mode in $modes; do
  for server in estuary libest; do
    ratio=; [ $server = libest ] && ratio=$(echo "scale=2; $(col estuary "$mode" rps) / $(col libest "$mode" rps)" | bc)
    printf '  %-20s %9s %8s %8s %13s %9s\n' "$server $mode" "$(col $server "$mode" rps)" "$(col $server "$mode" p50_ms)" \
      "$(col $server "$mode" p99_ms)" "$(col $server "$mode" server_cpu_ms_per_op)" "$ratio"
  done
done
