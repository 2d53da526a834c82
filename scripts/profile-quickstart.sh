#!/usr/bin/env bash
# CPU flame graphs of the server under load (docs/benchmarks.md, "Where the server's time goes"):
# async-profiler (tools.profiler:async-profiler from Maven Central, fetched by the Maven wrapper)
# samples the server's CPU time every millisecond while the C load generator
# (../shared/tools/estload, or ESTLOAD=path) enrolls; the first WARMUP seconds of load are not
# profiled (the JIT compiles the hot paths then). Writes OUT/<mode>-<tls>.html, a flame graph,
# and OUT/<mode>-<tls>.txt, the CPU by category (scripts/profile-categories.awk); with --collapsed
# also OUT/<mode>-<tls>.collapsed, the stacks themselves (one line per stack, for grep and awk).
# CPU time, so the shares hold on a busy machine too. With --event alloc it samples allocations
# instead (bytes allocated, by stack: what the collector has to clean up) and names its files
# <mode>-<tls>-alloc.*. Loopback only.
#   scripts/profile-quickstart.sh [--out docs/profiles] [--mode keepalive|newconn|both] [--warmup 40] [--seconds 30] [--tls auto|jdk|conscrypt] [--concurrency 16] [--collapsed] [--event cpu|alloc]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/docs/profiles; modes="keepalive newconn"; warmup=40; seconds=30; tls=auto; concurrency=16; collapsed=; event=cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2;;
    --mode) modes=$2; [ "$modes" = both ] && modes="keepalive newconn"; shift 2;;
    --warmup) warmup=$2; shift 2;;
    --seconds) seconds=$2; shift 2;;
    --tls) tls=$2; shift 2;;
    --concurrency) concurrency=$2; shift 2;;
    --collapsed) collapsed=yes; shift;;
    --event) event=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
case "$event" in
  cpu) sampling="event=cpu,interval=1ms"; suffix=; what=CPU;;
  alloc) sampling="event=alloc,total"; suffix=-alloc; what="bytes allocated";;
  *) echo "--event is cpu or alloc, not $event" >&2; exit 2;;
esac
mkdir -p "$out"
work=$(mktemp -d /tmp/estuary-profile.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. "$root/scripts/lib-estload.sh"
. "$root/scripts/lib-tls.sh"
version=4.2
for a in async-profiler jfr-converter; do
  "$root/mvnw" -q dependency:get -Dartifact=tools.profiler:$a:$version -Dtransitive=false
done
(cd "$work" && unzip -q -o "$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar" 'linux-x64/*')
lib=$work/linux-x64/libasyncProfiler.so
"$root/estuary" --version >/dev/null   # builds the jar if needed
. "$root/.mvn/select-jdk.sh" && estuary_select_jdk >/dev/null
jar=$root/cli/target/estuary-all.jar
for mode in $modes; do
  rm -rf "$work/qs" "$work"/window-*
  # Profiled in windows of SECONDS from the start; the first window after the warm-up is kept.
  "$JAVA_HOME/bin/java" $server_jvm \
    "-agentpath:$lib=start,$sampling,loop=${seconds}s,collapsed,file=$work/window-%n{1000}.collapsed" \
    -jar "$jar" server --quickstart --data-dir "$work/qs" --est-port 0 --admin-port 0 > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do grep -q "serving EST" "$work/server.log" && break; sleep 0.5; done
  if [ "$tls" != auto ]; then # restart on the other provider (the quickstart made its keys already)
    kill $server; wait $server 2>/dev/null || true
    tls_provider "$work/qs/server.toml" "$tls"
    rm -f "$work"/window-*; : > "$work/server.log"
    "$JAVA_HOME/bin/java" $server_jvm \
      "-agentpath:$lib=start,$sampling,loop=${seconds}s,collapsed,file=$work/window-%n{1000}.collapsed" \
      -jar "$jar" server --quickstart --data-dir "$work/qs" --est-port 0 --admin-port 0 > "$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 240); do grep -q "serving EST" "$work/server.log" && break; sleep 0.5; done
  fi
  port=$(quickstart_port "$work/server.log")
  pw=$(quickstart_password "$work/qs")
  flags=-q; [ "$mode" = keepalive ] && flags="-q -k"
  # Load from the start: the warm-up, then whole windows until one lies entirely after it
  # (windows count from the server's start, a little before the load's).
  first=$(( (warmup + seconds - 1) / seconds + 1 ))
  left=$(( (first + 1) * seconds ))
  : > "$work/load.txt"
  while [ "$left" -gt 0 ]; do
    d=$left; [ "$d" -le 120 ] || d=120
    "$estload" -H 127.0.0.1 -p "$port" -C "$work/qs/root-ca.pem" -u "estuary:$pw" -c "$concurrency" -d "$d" -n 100000000 -K 1024 $flags >> "$work/load.txt"
    left=$((left - d))
  done
  kill $server; wait $server 2>/dev/null || true
  keep=$work/window-$first.collapsed
  "$JAVA_HOME/bin/java" -jar "$HOME/.m2/repository/tools/profiler/jfr-converter/$version/jfr-converter-$version.jar" \
    --norm --minwidth 0.1 --title "Estuary server, enroll $mode ($tls TLS), $what" "$keep" "$out/$mode-$tls$suffix.html" > /dev/null
  awk -f "$root/scripts/profile-categories.awk" "$keep" > "$out/$mode-$tls$suffix.txt"
  [ -z "$collapsed" ] || cp "$keep" "$out/$mode-$tls$suffix.collapsed"
  echo "$mode ($tls), the load generator's lines:"; sed 's/^/  /' "$work/load.txt"
  echo "  flame graph: $out/$mode-$tls$suffix.html; where the $what went ($out/$mode-$tls$suffix.txt):"
  sed 's/^/  /' "$out/$mode-$tls$suffix.txt"
done
