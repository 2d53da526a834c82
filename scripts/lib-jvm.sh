# Sourced (POSIX sh) by the ./estuary launcher, the benchmark scripts and the fleet simulator: the
# JVM flags the server starts with besides its heap, in one place.
#
# estuary_java_feature JAVA_HOME prints the Java feature release of that JDK (21, 25, ...; 0 when
# its release file does not say).
estuary_java_feature() {
  _f=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
  printf '%s\n' "${_f:-0}"
}

# estuary_aot_usable CACHE JAR FEATURE succeeds when a server started from JAR on a JDK of feature
# release FEATURE uses the ahead-of-time cache CACHE: JDK 25 or newer, and the cache made after the
# jar (a cache older than its jar was trained on another build).
estuary_aot_usable() {
  [ "$3" -ge 25 ] 2>/dev/null && [ -f "$1" ] && [ "$1" -nt "$2" ]
}

# estuary_aot_flags FEATURE prints the flags the server starts with beside its ahead-of-time cache
# (-XX:AOTCache=<the cache `estuary aot` made>) on a JDK of feature release FEATURE. On JDK 25:
# -XX:+AOTCompileEagerly (experimental there): the methods the cache holds profiles of are compiled
# as soon as their classes are initialised, instead of when their counters reach the compile
# thresholds under the first load, so more of the first seconds run on compiled code (the first
# 15 s after a start: +10 % on new connections, +4 % kept-alive; docs/benchmarks.md, round six).
# Another release gets the cache alone until measured there. ESTUARY_AOT_EAGER=0 leaves it out.
estuary_aot_flags() {
  [ "$1" = 25 ] && [ "${ESTUARY_AOT_EAGER:-1}" != 0 ] || return 0
  printf '%s\n' "-XX:+UnlockExperimentalVMOptions -XX:+AOTCompileEagerly"
}

# estuary_priority_flags prints the flags that put the group commit's thread ahead of the requests
# that wait for it (docs/benchmarks.md, "Round five"), where the process may raise a thread's
# priority: running as root with CAP_SYS_NICE (not in a container that drops it). They make Java
# priorities reach the operating system (-XX:ThreadPriorityPolicy=1), keep every thread at nice 0
# as without them (each Java priority mapped to 0, the JDK's own threads included), but the
# committer's while it commits a batch (GroupCommit.COMMITTER_PRIORITY, 7), which maps to
# nice $ESTUARY_COMMITTER_NICE. Elsewhere it prints nothing: an unprivileged JVM ignores the
# priorities and warns at every start that it does. ESTUARY_COMMITTER_NICE=0 turns it off.
ESTUARY_COMMITTER_NICE=${ESTUARY_COMMITTER_NICE:--5}
estuary_priority_flags() {
  [ "$ESTUARY_COMMITTER_NICE" != 0 ] && [ "$(id -u)" = 0 ] || return 0
  # CAP_SYS_NICE is bit 23 of the effective set: the high bit of the sixth hex digit from the right.
  _cap=$(sed -n 's/^CapEff:[[:space:]]*\([0-9a-fA-F]*\)$/\1/p' /proc/self/status 2>/dev/null)
  case "$_cap" in *[89a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]) ;; *) return 0;; esac
  printf '%s' "-XX:ThreadPriorityPolicy=1"
  for _n in 1 2 3 4 5 6 8 9 10; do printf ' %s' "-XX:JavaPriority${_n}_To_OSPriority=0"; done
  printf ' %s\n' "-XX:JavaPriority7_To_OSPriority=$ESTUARY_COMMITTER_NICE"
}
