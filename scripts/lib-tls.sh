# Sourced by the benchmark scripts: names the TLS provider in a quickstart's server.toml.
#   tls_provider FILE PROVIDER   (auto: the default, the file is left as the quickstart wrote it;
#                                 jdk or conscrypt: written under [tls])
tls_provider() {
  [ "$2" = auto ] || sed -i "s|^alias = \"tls\".*|alias = \"tls\"\nprovider = \"$2\"|" "$1"
}
