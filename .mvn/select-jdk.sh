# Sourced by ./mvnw and ./estuary: makes JAVA_HOME point at a JDK 21 or newer.
# Looks at JAVA_HOME, then `javac`/`java` on PATH, then the usual JVM directories, and takes
# the first (JAVA_HOME, PATH) or the newest (directories) JDK whose feature version is >= 21.
# Prints what to install and returns 1 when there is none.

estuary_jdk_feature() { # $1 = a JDK home; prints its feature version (21, 25, ...) or nothing
  _home=$1
  [ -x "$_home/bin/java" ] && [ -x "$_home/bin/javac" ] || return 0
  if [ -r "$_home/release" ]; then
    _v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$_home/release")
  else
    _v=$("$_home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  [ "$_v" = 1 ] && _v=8
  printf '%s' "$_v"
}

estuary_select_jdk() {
  _min=21
  if [ -n "${JAVA_HOME:-}" ]; then
    _f=$(estuary_jdk_feature "$JAVA_HOME")
    if [ -n "$_f" ] && [ "$_f" -ge "$_min" ]; then export JAVA_HOME; return 0; fi
  fi
  for _tool in javac java; do
    _p=$(command -v "$_tool" 2>/dev/null) || continue
    _p=$(readlink -f "$_p" 2>/dev/null || printf '%s' "$_p")
    _h=${_p%/bin/*}
    _f=$(estuary_jdk_feature "$_h")
    if [ -n "$_f" ] && [ "$_f" -ge "$_min" ]; then export JAVA_HOME=$_h; return 0; fi
  done
  _best= ; _bestf=0
  case $- in *f*) _glob_was_off=1; set +f ;; *) _glob_was_off= ;; esac
  for _h in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
            /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$_h" ] || continue
    _f=$(estuary_jdk_feature "$_h")
    if [ -n "$_f" ] && [ "$_f" -ge "$_min" ] && [ "$_f" -gt "$_bestf" ]; then _best=$_h; _bestf=$_f; fi
  done
  [ -z "$_glob_was_off" ] || set -f
  if [ -n "$_best" ]; then export JAVA_HOME=$_best; return 0; fi
  cat >&2 <<MSG
estuary: no JDK $_min or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm, /usr/java, /opt/java, ~/.sdkman).
Install one, for example:
  Debian 13, Ubuntu 24.04:  sudo apt-get install openjdk-21-jdk-headless (or openjdk-25-jdk-headless)
  Debian 12, Ubuntu 22.04:  temurin-21-jdk from Adoptium's apt repository (https://adoptium.net/installation/linux/)
  Fedora/RHEL:              sudo dnf install java-21-openjdk-devel
  macOS:                    brew install --cask temurin@21
or set JAVA_HOME to a JDK $_min+ installation.
MSG
  return 1
}
