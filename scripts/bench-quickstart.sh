#!/usr/bin/env bash
# Reproduces the server figures of docs/benchmarks.md: starts a fresh quickstart server (H2, or
# PostgreSQL with --postgres URL), warms it up, then runs each scenario RUNS times and prints the
# median of each figure. Loopback only; every run is bounded by --duration.
#   scripts/bench-quickstart.sh [--runs 3] [--duration 20s] [--concurrency 32] [--postgres JDBC_URL] [--tls auto|jdk|conscrypt]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=3; duration=20s; concurrency=32; postgres=; tls=auto
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2;;
    --duration) duration=$2; shift 2;;
    --concurrency) concurrency=$2; shift 2;;
    --postgres) postgres=$2; shift 2;;
    --tls) tls=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
. "$root/scripts/lib-tls.sh"
data=$(mktemp -d /tmp/estuary-bench.XXXXXX)
out=$data/results; mkdir -p "$out"
"$root/estuary" --version >/dev/null   # builds the jar if needed
export ESTUARY_JAR=$root/cli/target/estuary-all.jar
"$root/estuary" server --quickstart --data-dir "$data/qs" --est-port 0 --admin-port 0 > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do grep -q est_url "$data/qs/quickstart.json" 2>/dev/null && break; sleep 0.5; done
if [ -n "$postgres" ] || [ "$tls" != auto ]; then
  kill $server; wait $server 2>/dev/null || true
  [ -z "$postgres" ] || sed -i "s|^url = \"jdbc:h2:.*\"|url = \"$postgres\"|" "$data/qs/server.toml"
  tls_provider "$data/qs/server.toml" "$tls"
  : > "$data/server.log"
  "$root/estuary" server --quickstart --data-dir "$data/qs" --est-port 0 --admin-port 0 > "$data/server.log" 2>&1 &
  server=$!
  sleep 1; for _ in $(seq 1 120); do grep -q "serving EST" "$data/server.log" && break; sleep 0.5; done
  sleep 1
fi
field() { sed -n "s/.*\"$1\" : \"\(.*\)\".*/\1/p" "$data/qs/quickstart.json"; }
est=$(field est_url); rootca=$(field root_ca); secret=$(field factory_secret)
user=$(field basic_username); password=$(field basic_password)
if [ -n "$postgres" ]; then # quickstart made its credentials in H2: make them again in PostgreSQL
  secret=$("$root/estuary" server secret create --label idevid --data-dir "$data/qs" 2>/dev/null)
  user=bench; password=$("$root/estuary" server basic-user create --username bench --data-dir "$data/qs" 2>/dev/null)
fi
bench() { "$root/estuary" bench --quickstart "$data/qs" --secret "$secret" --user "$user" --password "$password" \
  --concurrency "$concurrency" --csr-pool 2000 "$@"; }

# An IDevID for the mTLS scenarios: enrolled with the factory secret, like a factory line.
openssl req -nodes -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=bench-idevid -keyout "$data/idevid.key" -out "$data/idevid.csr" 2>/dev/null
curl -sS --cacert "$rootca" -X POST --data-binary @"$data/idevid.csr" -H "Secret-Value: $secret" -H "Content-Type: application/pkcs10" \
  "$est/simpleenroll" | openssl base64 -d | openssl pkcs7 -inform DER -print_certs | openssl x509 -out "$data/idevid.pem"

scenario() { # name, then bench arguments
  local name=$1; shift
  bench "$@" --duration 15s --warmup 0s > /dev/null 2>&1 || true          # JIT warm-up, discarded
  for i in $(seq 1 "$runs"); do
    bench "$@" --duration "$duration" --warmup 2s --json "$out/$name.$i.json" > /dev/null 2>&1 || true
  done
}
scenario cacerts-keepalive --scenario cacerts
scenario cacerts-newconn   --scenario cacerts --new-connection
scenario enroll-keepalive  --scenario enroll --auth basic
scenario enroll-newconn    --scenario enroll --auth basic --new-connection
scenario enroll-mtls-keepalive --scenario enroll --auth mtls --client-cert "$data/idevid.pem" --client-key "$data/idevid.key" --url "$est/device-id"
scenario reenroll-keepalive --scenario reenroll --auth mtls --client-cert "$data/idevid.pem" --client-key "$data/idevid.key" --url "$est/device-id"
scenario reenroll-newconn  --scenario reenroll --auth mtls --client-cert "$data/idevid.pem" --client-key "$data/idevid.key" --url "$est/device-id" --new-connection
if [ -z "$postgres" ]; then # the quickstart's enrollment group and hub were made in H2
  scenario register-keepalive --scenario register --auth basic
  scenario register-newconn  --scenario register --auth basic --new-connection
fi

python3 - "$out" "$runs" <<'PY'
import json, sys, glob, statistics, os
out, runs = sys.argv[1], int(sys.argv[2])
names = sorted({os.path.basename(p).rsplit('.', 2)[0] for p in glob.glob(out + '/*.json')})
print(f"{'scenario':26} {'ops/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cpu ms/op':>10} {'errors':>7}  (median of {runs})")
for n in names:
    rs = [json.load(open(p)) for p in sorted(glob.glob(f"{out}/{n}.*.json"))]
    med = lambda k: statistics.median([r.get(k, float('nan')) for r in rs])
    print(f"{n:26} {med('throughput'):9.1f} {med('p50_ms'):8.2f} {med('p95_ms'):8.2f} {med('p99_ms'):8.2f} {med('server_cpu_ms_per_op'):10.3f} {sum(r['errors'] for r in rs):7d}")
PY
