#!/usr/bin/env bash
# The console on a large store (docs/benchmarks.md, "The console with 1,000,000 certificates"):
# makes a quickstart data directory, stops it, fills its certificate table with FillStore (ROWS
# synthetic rows over two labels), starts the server again with [console] statistics_max_age = 1s
# (so every overview below starts a computation of its figures: the worst case), logs in to the console
# with the quickstart's admin token (curl, a cookie jar), and times each page with curl's
# time_total, REPEAT times, printing every time and the median. Loopback only.
#   scripts/console-bench.sh [--rows 1000000] [--repeat 5] [--data-dir DIR] [--postgres JDBC_URL]
# An existing DIR with quickstart.json is reused as it is (no second fill).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rows=1000000; repeat=5; data=; postgres=
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift 2;;
    --repeat) repeat=$2; shift 2;;
    --data-dir) data=$2; shift 2;;
    --postgres) postgres=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
[ -n "$data" ] || data=$(mktemp -d /tmp/estuary-console-bench.XXXXXX)/qs
[ -n "${ESTUARY_JAR:-}" ] || "$root/estuary" --version >/dev/null   # builds the jar if needed
[ -f "$root/benchmarks/target/benchmarks.jar" ] || "$root/mvnw" -q -f "$root/pom.xml" -pl benchmarks -am -DskipTests package
export ESTUARY_JAR=${ESTUARY_JAR:-$root/cli/target/estuary-all.jar}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
log=$(dirname "$data")/server.log
server=
stop() { [ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; server=; }; }
trap stop EXIT
start() {
  : > "$log"
  "$root/estuary" server --quickstart --data-dir "$data" --est-port 0 --admin-port 0 > "$log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do grep -q "serving EST" "$log" && break; sleep 0.5; done
  grep -q "serving EST" "$log" || { cat "$log" >&2; echo "the server did not start" >&2; exit 1; }
  sleep 1
}
if [ ! -f "$data/quickstart.json" ]; then
  start; stop
  [ -z "$postgres" ] || sed -i "s|^url = \"jdbc:h2:.*\"|url = \"$postgres\"|" "$data/server.toml"
  printf '\n[console]\nstatistics_max_age = "1s"\n' >> "$data/server.toml"
  t0=$(date +%s)
  "$java" -cp "$root/benchmarks/target/benchmarks.jar" dev.estuary.bench.FillStore "$data/server.toml" "$rows" device-id,idevid
  echo "filled $rows rows in $(( $(date +%s) - t0 )) s"
fi
start
field() { sed -n "s/.*\"$1\" : \"\(.*\)\".*/\1/p" "$data/quickstart.json"; }
admin=$(field admin_url); rootca=$(field root_ca); token=$(field admin_token)
jar=$(dirname "$data")/cookies
rm -f "$jar"
code=$(curl -sS --cacert "$rootca" -c "$jar" -o /dev/null -w '%{http_code}' --data-urlencode "token=$token" "$admin/console/login")
[ "$code" = 303 ] || { echo "console login answered $code" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
page() { # name, path
  local name=$1 path=$2 times=()
  for _ in $(seq 1 "$repeat"); do
    sleep 1.1   # past statistics_max_age: the overview computes afresh each time
    out=$(curl -sS --cacert "$rootca" -b "$jar" -o "$body.$(( ${#times[@]} + 1 ))" -w '%{http_code} %{time_total}' "$admin$path")
    [ "${out%% *}" = 200 ] || { echo "$name: HTTP ${out%% *}" >&2; exit 1; }
    times+=("$(awk -v t="${out#* }" 'BEGIN {printf "%.0f", t * 1000}')")
  done
  printf '%-34s median %5s ms   runs %s\n' "$name" "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
}
body=$(dirname "$data")/page
soon=$(date -u -d '+3 days' +%Y-%m-%d)
mid=$(( rows / 2 ))
page "overview (figures computed)" "/console/"
# The first view after the start waits for the figures at most half a second (OverviewPage.FIRST_WAIT)
if grep -q 'id="figures-pending"' "$body.1"; then echo "  (the first view: \"being computed\", no figures yet)"
else echo "  (the first view: $(grep -o 'computed in [0-9]* ms' "$body.1" | head -n 1))"; fi
page "search: subject exact" "/console/certificates?subject=CN%3Dfill-$mid"
page "search: subject prefix" "/console/certificates?subject=CN%3Dfill-99999*"
page "search: label + valid" "/console/certificates?label=device-id&status=valid"
page "search: label + expiring before" "/console/certificates?label=idevid&expiring_before=$soon"
page "search: expired, no label" "/console/certificates?status=expired"
page "search: a page deep in the list" "/console/certificates?after=.$(( ($(date +%s) + 259200) * 1000000 )).0"
page "search: serial" "/console/certificates?serial=$(curl -sS --cacert "$rootca" -b "$jar" "$admin/console/certificates?subject=CN%3Dfill-$mid" | sed -n 's|.*href="/console/certificates/\([0-9a-f]*\)".*|\1|p' | head -n 1)"
page "certificate page" "/console/certificates/$(curl -sS --cacert "$rootca" -b "$jar" "$admin/console/certificates?subject=CN%3Dfill-$mid" | sed -n 's|.*href="/console/certificates/\([0-9a-f]*\)".*|\1|p' | head -n 1)"
page "audit log" "/console/audit"
grep -o 'computed in [0-9]* ms' <(curl -sS --cacert "$rootca" -b "$jar" "$admin/console/") | sed 's/^/overview figures: /'
echo "store: $data"
