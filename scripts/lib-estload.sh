# Sourced by the benchmark scripts (with $root set): $estload is the C load generator, ESTLOAD or
# built from ../shared/tools/estload (needs gcc and libssl-dev).
estload=${ESTLOAD:-}
if [ -z "$estload" ]; then
  estload=$(mktemp /tmp/estload.XXXXXX)
  gcc -O2 -o "$estload" "$root/../shared/tools/estload/estload.c" -lssl -lcrypto -lpthread
fi

# The server's JVM flags as the ./estuary launcher starts it (its heap, the native heap trimmed,
# the group commit's priority where the process may raise it: scripts/lib-jvm.sh).
. "$root/scripts/lib-jvm.sh"
server_jvm="-Xmx256m -XX:TrimNativeHeapInterval=5000 $(estuary_priority_flags)"

# build_server builds the jar if needed and, on JDK 25 or newer, trains its AOT cache when the jar
# is newer than the cache (`./estuary server` would on its first start; `--version` does not), so
# that a script measures the server as the launcher starts it.
build_server() {
  "$root/estuary" --version >/dev/null
  (
    . "$root/.mvn/select-jdk.sh" && estuary_select_jdk >/dev/null
    _feature=$(estuary_java_feature "${JAVA_HOME:-/nonexistent}")
    _jar=$root/cli/target/estuary-all.jar
    [ "$_feature" -lt 25 ] || estuary_aot_usable "${_jar%.jar}.aot" "$_jar" "$_feature" || "$root/estuary" aot
  )
}

# What the benchmark scripts read from a quickstart server and report (one definition for all):
# the port it serves EST on, from its log; its Basic password, from DIR/quickstart.json; the CPU
# seconds a process has used so far (utime + stime, USER_HZ = 100); the median of the numbers on
# standard input ("-" when none); and col WHO MODE FIELD, the median of FIELD over the lines of
# $data/results that start with "WHO MODE ".
quickstart_port() { sed -n 's/.*serving EST on 127.0.0.1:\([0-9]*\).*/\1/p' "$1" | head -n 1; }
quickstart_password() { sed -n 's/.*"basic_password" : "\(.*\)".*/\1/p' "$1/quickstart.json"; }
proc_cpu_s() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }
col() { grep "^$1 $2 " "$data/results" | sed -n "s/.* $3=\([0-9.]*\).*/\1/p" | median; }
