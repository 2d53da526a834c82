# Sourced by the benchmark scripts (with $root set): $estload is the C load generator, ESTLOAD or
# built from ../shared/tools/estload (needs gcc and libssl-dev).
estload=${ESTLOAD:-}
if [ -z "$estload" ]; then
  estload=$(mktemp /tmp/estload.XXXXXX)
  gcc -O2 -o "$estload" "$root/../shared/tools/estload/estload.c" -lssl -lcrypto -lpthread
fi
