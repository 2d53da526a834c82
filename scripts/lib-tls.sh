# Sourced by the benchmark scripts: names the TLS provider and the signature engine in a
# quickstart's server.toml.
#   tls_provider FILE PROVIDER   (auto: the default, the file is left as the quickstart wrote it;
#                                 jdk or conscrypt: written under [tls])
#   signature_engine FILE ENGINE (auto: the default, left as it is; bouncycastle or conscrypt:
#                                 written under [keys])
tls_provider() {
  [ "$2" = auto ] || sed -i "s|^alias = \"tls\".*|alias = \"tls\"\nprovider = \"$2\"|" "$1"
}
signature_engine() {
  [ "$2" = auto ] || sed -i "s|^source = \"keystore\"|source = \"keystore\"\nsignatures = \"$2\"|" "$1"
}
