#!/usr/bin/env bash
# Two builds side by side: the estuary jar of A and of B each serve a fresh quickstart (H2) at the
# same time; both are warmed, then the C load generator (../shared/tools/estload, or ESTLOAD=path)
# alternates short runs between them, so both see the same machine. Prints the medians, the
# servers' CPU per enrollment and each server's peak RSS (VmHWM). Loopback only; every run is bounded.
#   scripts/bench-ab.sh A.jar B.jar [--runs 5] [--seconds 10] [--warmup 40] [--concurrency 16]
#                       [--tls auto|jdk|conscrypt|A_TLS,B_TLS]
#                       [--signatures auto|bouncycastle|conscrypt|A_SIG,B_SIG] [--mtls]
#                       [--opts-a "JVM options"] [--opts-b "JVM options"] [--modes "keepalive ..."]
#                       [--h2-a ";SETTING=V"] [--h2-b ";SETTING=V"] [--data-a DIR] [--data-b DIR]
# --tls: both servers run on that TLS provider, or A on the first and B on the second (one jar given
# twice compares the providers). --signatures likewise for [keys] signatures (who verifies CSRs and
# signs with the CA keys). --opts-a/--opts-b: JVM options added to A's or B's command line (one jar
# given twice compares them, e.g. a garbage collector). --modes: which of keepalive, newconn (estload)
# and, with --mtls, mtls-keepalive, mtls-newconn (a full handshake each), mtls-resumed to run
# (default: all but mtls-newconn). --h2-a/--h2-b: settings appended to A's or B's H2 URL.
# --data-a/--data-b: a quickstart data directory (e.g. one scripts/console-bench.sh filled with
# 1,000,000 certificates) that A or B serves a copy of, instead of a fresh quickstart. --mtls adds two modes estload cannot make (it has no
# client certificate), with `estuary bench` (B's jar, the same client for both): an IDevID's
# enrollment on device-id kept-alive, and over new connections that resume the client's session.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar_a=$1; jar_b=$2; shift 2
runs=5; seconds=10; warmup=40; concurrency=16; tls=auto; signatures=auto; mtls=; opts_a=; opts_b=; modes=; h2_a=; h2_b=
declare -A from=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2;;
    --seconds) seconds=$2; shift 2;;
    --warmup) warmup=$2; shift 2;;
    --concurrency) concurrency=$2; shift 2;;
    --tls) tls=$2; shift 2;;
    --signatures) signatures=$2; shift 2;;
    --opts-a) opts_a=$2; shift 2;;
    --opts-b) opts_b=$2; shift 2;;
    --modes) modes=$2; shift 2;;
    --h2-a) h2_a=$2; shift 2;;
    --h2-b) h2_b=$2; shift 2;;
    --data-a) from[a]=$2; shift 2;;
    --data-b) from[b]=$2; shift 2;;
    --mtls) mtls=yes; shift;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
. "$root/scripts/lib-estload.sh"
. "$root/scripts/lib-tls.sh"
. "$root/.mvn/select-jdk.sh" && estuary_select_jdk >/dev/null
java=${JAVA_HOME:+$JAVA_HOME/bin/java}; java=${java:-java}
data=$(mktemp -d /tmp/estuary-ab.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$data"' EXIT
declare -A pid port pw
declare -A opts=([a]=$opts_a [b]=$opts_b)
serve() { # v jar: a quickstart in $data/$v, serving when this returns
  : > "$data/$1.log"
  # shellcheck disable=SC2086
  "$java" $server_jvm ${opts[$1]} -jar "$2" server --quickstart --data-dir "$data/$1" \
    --est-port 0 --admin-port 0 > "$data/$1.log" 2>&1 &
  pid[$1]=$!
  for _ in $(seq 1 240); do grep -q "serving EST" "$data/$1.log" && break; sleep 0.5; done
}
declare -A provider=([a]=${tls%,*} [b]=${tls#*,})
declare -A engine=([a]=${signatures%,*} [b]=${signatures#*,})
declare -A h2=([a]=$h2_a [b]=$h2_b)
for v in a b; do
  jar=$jar_a; [ $v = b ] && jar=$jar_b
  if [ -n "${from[$v]:-}" ]; then
    [ -f "${from[$v]}/quickstart.json" ] || { echo "${from[$v]} is not a quickstart data directory" >&2; exit 2; }
    cp -a "${from[$v]}" "$data/$v"
  fi
  serve $v "$jar"
  if [ "${provider[$v]}" != auto ] || [ "${engine[$v]}" != auto ] || [ -n "${h2[$v]}" ]; then
    # the quickstart wrote its server.toml: name the provider and the engine, start again
    kill "${pid[$v]}"; wait "${pid[$v]}" 2>/dev/null || true
    tls_provider "$data/$v/server.toml" "${provider[$v]}"
    signature_engine "$data/$v/server.toml" "${engine[$v]}"
    [ -z "${h2[$v]}" ] || sed -i "s|^url = \"jdbc:h2:\(.*\)\"|url = \"jdbc:h2:\1${h2[$v]}\"|" "$data/$v/server.toml"
    serve $v "$jar"
  fi
  port[$v]=$(quickstart_port "$data/$v.log")
  pw[$v]=$(quickstart_password "$data/$v")
  if [ -n "$mtls" ]; then # an IDevID, enrolled with the factory secret like a factory line
    field() { sed -n "s/.*\"$1\" : \"\(.*\)\".*/\1/p" "$data/$v/quickstart.json"; }
    openssl req -nodes -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=ab-idevid \
      -keyout "$data/$v/idevid.key" -out "$data/$v/idevid.csr" 2>/dev/null
    curl -sS --cacert "$data/$v/root-ca.pem" -X POST --data-binary @"$data/$v/idevid.csr" \
      -H "Secret-Value: $(field factory_secret)" -H "Content-Type: application/pkcs10" "$(field est_url)/simpleenroll" \
      | openssl base64 -d | openssl pkcs7 -inform DER -print_certs | openssl x509 -out "$data/$v/idevid.pem"
  fi
done
load() { local v=$1; shift
  "$estload" -H 127.0.0.1 -p "${port[$v]}" -C "$data/$v/root-ca.pem" -u "estuary:${pw[$v]}" -c "$concurrency" -n 10000000 -K 512 -q "$@"; }
mtls_load() { local v=$1 json=$2; shift 2
  "$java" -Xmx512m -jar "$jar_b" bench --quickstart "$data/$v" --scenario enroll --auth mtls \
    --client-cert "$data/$v/idevid.pem" --client-key "$data/$v/idevid.key" \
    --url "$(sed -n 's/.*"est_url" : "\(.*\)".*/\1/p' "$data/$v/quickstart.json")/device-id" \
    --concurrency "$concurrency" --warmup 1s --json "$json" "$@" > /dev/null 2>&1 || true; }
bench_line() { # estload's fields from an `estuary bench --json` report
  python3 - "$1" <<'PY'
import json, os, sys
if not os.path.exists(sys.argv[1]):
    sys.exit(print("ok=0 rps=0 p50_ms=0 p99_ms=0 err=no-report"))
r = json.load(open(sys.argv[1]))
print(f"ok={r['ok']} rps={r['throughput']:.1f} p50_ms={r['p50_ms']:.2f} p99_ms={r['p99_ms']:.2f} err={r['errors']}")
PY
}
if [ -z "$modes" ]; then
  modes="keepalive newconn"; [ -n "$mtls" ] && modes="$modes mtls-keepalive mtls-resumed"
fi
for v in a b; do
  echo "warming $v: ${warmup}s kept-alive, $((warmup / 2))s new-connection" >&2
  load $v -k -d "$warmup" > /dev/null; load $v -d "$((warmup / 2))" > /dev/null
  [ -z "$mtls" ] || mtls_load $v "$data/warm.json" --duration "$((warmup / 2))s"
done
for i in $(seq 1 "$runs"); do
  for mode in $modes; do
    for v in a b; do
      c0=$(proc_cpu_s "${pid[$v]}")
      case $mode in
        keepalive) line=$(load $v -k -d "$seconds");;
        newconn) line=$(load $v -d "$seconds");;
        mtls-*)
          flags=; [ $mode = mtls-resumed ] && flags="--new-connection --resume"
          [ $mode = mtls-newconn ] && flags="--new-connection"
          # shellcheck disable=SC2086
          rm -f "$data/jb.json"; mtls_load $v "$data/jb.json" --duration "${seconds}s" $flags
          line=$(bench_line "$data/jb.json");;
      esac
      c1=$(proc_cpu_s "${pid[$v]}")
      ok=$(echo "$line" | sed 's/.*ok=\([0-9]*\).*/\1/')
      echo "$v $mode run=$i server_cpu_ms_per_op=$(echo "scale=3; 1000 * ($c1 - $c0) / ($ok + 0.0001)" | bc) $line"
    done
  done
done | tee "$data/results"
echo
echo "medians of $runs alternating runs of ${seconds}s, concurrency $concurrency, H2, TLS $tls, signatures $signatures (A: $jar_a $opts_a $h2_a ${from[a]:-}, B: $jar_b $opts_b $h2_b ${from[b]:-}):"
printf '  %-17s %9s %8s %8s %13s\n' build/mode "req/s" "p50 ms" "p99 ms" "srv cpu ms/op"
for mode in $modes; do
  for v in a b; do
    printf '  %-17s %9s %8s %8s %13s\n' "$v $mode" "$(col $v $mode rps)" "$(col $v $mode p50_ms)" \
      "$(col $v $mode p99_ms)" "$(col $v $mode server_cpu_ms_per_op)"
  done
done
for v in a b; do # what each server's resident memory peaked at over the whole run
  echo "  $v peak RSS: $(( $(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/${pid[$v]}/status") / 1024 )) MiB (VmHWM)"
done
