#!/usr/bin/awk -f
# Sums a collapsed CPU profile (async-profiler's "collapsed" output: frames;...;frames COUNT) into
# the categories docs/benchmarks.md uses. A sample counts for the first category, in this order,
# whose marker appears anywhere in its stack; the rest is "other".
#   awk -f scripts/profile-categories.awk profile.collapsed
BEGIN {
  n = split("csr-verify|Csr.signatureVerifies;sign|IssuingCa.issue;tls-handshake|sun/security/ssl/(ClientHello|ServerHello|Finished|CertificateVerify|CertificateMessage|SSLHandshake|TransportContext.dispatch|HandshakeContext)|org/conscrypt/NativeCrypto.SSL_do_handshake|ENGINE_SSL_do_handshake;tls-records|sun/security/ssl/SSLEngineImpl|org/conscrypt/ConscryptEngine;database|GroupCommit|org/jdbi|org/h2|org/postgresql|com/zaxxer;logging|ch/qos/logback|org/slf4j;metrics|io/micrometer;jit|CompileBroker|C2Compiler|C1Compiler;gc|G1|GCTaskThread|ConcurrentGCThread|WorkerThread::run;http|org/eclipse/jetty", spec, ";")
  for (i = 1; i <= n; i++) { split(spec[i], kv, "|"); name[i] = kv[1]; pat[i] = substr(spec[i], length(kv[1]) + 2) }
}
{
  count = $NF; stack = substr($0, 1, length($0) - length(count) - 1); total += count
  for (i = 1; i <= n; i++) if (stack ~ pat[i]) { sum[i] += count; next }
  other += count
}
END {
  printf "%-14s %7s\n", "category", "share"
  for (i = 1; i <= n; i++) printf "%-14s %6.1f%%\n", name[i], 100 * sum[i] / total
  printf "%-14s %6.1f%%\n", "other", 100 * other / total
  printf "%-14s %7.0f\n", "samples", total
}
