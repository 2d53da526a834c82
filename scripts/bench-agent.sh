#!/usr/bin/env bash
# Reproduces the agent figures of docs/benchmarks.md ("The agent"): starts a fresh quickstart
# server, makes an IDevID with the seed's commands and the seed's config.toml (README tour), then
# runs the agent with the JVM flags of packaging/estuary-agent.service:
#   - start to first enrollment: `agent run --once` RUNS times on a fresh state directory, from the
#     process start to the log line of the issued device-id certificate (the first run, which
#     writes the class-data archive, is not counted);
#   - steady RSS: the daemon 25 s after its start (VmRSS, anonymous and file-backed), 3 times.
# Loopback only; every run is bounded.
#   scripts/bench-agent.sh [--runs 7] [--settle 25]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=7; settle=25
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2;;
    --settle) settle=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
work=$(mktemp -d /tmp/estuary-bench-agent.XXXXXX)
"$root/estuary" --version >/dev/null   # builds the jar if needed
jar=$work/estuary-all.jar
cp "$root/cli/target/estuary-all.jar" "$jar"
. "$root/.mvn/select-jdk.sh"
estuary_select_jdk
java=$JAVA_HOME/bin/java
ESTUARY_JAR=$jar "$root/estuary" server --quickstart --data-dir "$work/qs" --est-port 0 --admin-port 0 > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do grep -q iot_hub "$work/qs/quickstart.json" 2>/dev/null && break; sleep 0.5; done
field() { sed -n "s/.*\"$1\" : \"\(.*\)\".*/\1/p" "$work/qs/quickstart.json"; }
est=$(field est_url); rootca=$(field root_ca); secret=$(field factory_secret)
dps=$(field dps_global_endpoint); scope=$(field id_scope)
base=${est%/.well-known/est}

cd "$work"
curl -sS --cacert "$rootca" "$est/cacerts" | openssl base64 -d | openssl pkcs7 -inform DER -outform PEM -print_certs | openssl x509 -out globalsign-root.cert.pem
openssl req -nodes -new -subj /CN=IDevID -sha256 -keyout IDevID.key.pem -out IDevID.csr 2>/dev/null
curl -sS --cacert "$rootca" -X POST --data-binary "@IDevID.csr" -H "Content-Transfer-Encoding:base64" -H "Secret-Value: $secret" \
  -H "Content-Type:application/pkcs10" "$est/simpleenroll" | openssl base64 -d | openssl pkcs7 -inform DER -outform PEM -print_certs | openssl x509 -out IDevID.cert.pem
chmod 600 IDevID.key.pem
cat > config.toml <<EOF
[cert_issuance.est]
trusted_certs = ["file://$work/globalsign-root.cert.pem"]
[cert_issuance.est.urls]
[cert_issuance.est.auth]
identity_cert = "file://$work/IDevID.cert.pem"
identity_pk = "file://$work/IDevID.key.pem"
[provisioning]
source = "dps"
global_endpoint = "$dps"
id_scope = "$scope"
[provisioning.attestation]
method = "x509"
registration_id = "my-device-id"
[provisioning.attestation.identity_cert]
method = "est"
common_name = "my-device-id"
url = "$base/.well-known/est/device-id/"
[provisioning.attestation.identity_cert.auto_renew]
threshold = "80%"
retry = "4%"
[edge_ca]
method = "est"
url = "$base/.well-known/est/edge-ca/"
[edge_ca.auto_renew]
threshold = "80%"
retry = "4%"
EOF

# The unit file's JVM flags and environment, with the archive in the scratch directory.
unit=$root/packaging/estuary-agent.service
flags=$(sed -n 's|^ExecStart=/usr/bin/java \(.*\) -jar .*|\1|p' "$unit" | sed "s|/var/lib/estuary/|$work/|g")
env=$(sed -n 's/^Environment=//p' "$unit")
echo "java:  $java"
echo "flags: $flags ($env)"
agent() { # state dir, then agent arguments
  local state=$1; shift
  rm -rf "$state"; mkdir -p "$state"
  # shellcheck disable=SC2086
  env $env "$java" $flags -jar "$jar" agent "$@" -c config.toml --state-dir "$state"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

agent "$work/state" run --once > first.log 2>&1   # writes the class-data archive
starts=()
for i in $(seq 1 "$runs"); do
  t0=$(date +%s%3N)
  agent "$work/state" run --once > "once-$i.log" 2>&1
  line=$(grep -m1 'device-id: obtained' "once-$i.log" | cut -c1-24)
  starts+=($(( $(date -d "$line" +%s%3N) - t0 )))
done
echo "start -> device-id issued (ms): ${starts[*]}; median $(printf '%s\n' "${starts[@]}" | median)"

rss=()
for i in 1 2 3; do
  agent "$work/state" run > "daemon-$i.log" 2>&1 &
  pid=$!
  sleep "$settle"
  # The java process is the child of env.
  jpid=$(pgrep -P $pid java || echo $pid)
  rss+=("$(awk '/VmRSS|RssAnon|RssFile/ {printf "%s%d ", $1, $2 / 1024}' "/proc/$jpid/status")")
  kill "$jpid" $pid 2>/dev/null; wait $pid 2>/dev/null || true
  while kill -0 "$jpid" 2>/dev/null; do sleep 0.2; done
done
echo "steady RSS after ${settle} s (MiB):"
printf '  %s\n' "${rss[@]}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
