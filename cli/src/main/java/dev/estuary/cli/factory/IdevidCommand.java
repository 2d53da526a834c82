package dev.estuary.cli.factory;

import dev.estuary.agent.config.BasicAuth;
import dev.estuary.agent.est.EstClient;
import dev.estuary.agent.est.EstException;
import dev.estuary.agent.est.EstIdentity;
import dev.estuary.agent.store.KeyHandle;
import dev.estuary.cli.CliFailure;
import dev.estuary.pki.ChainValidator;
import dev.estuary.pki.CsrBuilder;
import dev.estuary.pki.Pem;
import dev.estuary.pki.PkiException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code estuary factory idevid}: the seed's "Create the IDevID" for a whole batch. For each device
 * a key and a CSR ({@code CN=<id>}), enrolled over EST with the factory's bootstrap secret or Basic
 * credentials, its files written under {@code --out/<id>/} and a row appended to {@code
 * manifest.csv}. Resumable: devices already made are checked and skipped, half-made ones redone.
 * With {@code --pkcs11} the keys are generated inside a token ({@link IdevidKeys#token}).
 */
@Command(
    name = "idevid",
    mixinStandardHelpOptions = true,
    description = {
      "Makes birth certificates (IDevIDs) for --count devices over EST, as the seed's curl does",
      "one at a time: <out>/<id>/IDevID.key.pem (0600), IDevID.cert.pem, ca-chain.pem, root-ca.pem,",
      "and <out>/manifest.csv (id,serial,sha256,not_after). Run it again to resume: devices already",
      "made are checked (key matches certificate, certificate verifies under the root) and skipped.",
      "With --pkcs11 the keys are made inside a PKCS#11 token and IDevID.key.uri names each one."
    })
public final class IdevidCommand implements Callable<Integer> {
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,47}");

  @Option(names = "--count", required = true, description = "How many devices.")
  int count;

  @Option(
      names = "--prefix",
      required = true,
      description = "Device ids are <prefix><number>, numbered from 1 with at least 4 digits.")
  String prefix;

  @Option(names = "--out", required = true, description = "Directory for the devices' files.")
  Path out;

  @Option(
      names = "--est-url",
      required = true,
      description =
          "The IDevID label's EST base, e.g. https://est.example.com:8443/.well-known/est/idevid.")
  URI estUrl;

  @Option(
      names = "--cacert",
      required = true,
      description = "The root (PEM): trusted for the server's TLS and copied to each device.")
  Path cacert;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Credential credential;

  static final class Credential {
    @Option(
        names = "--secret-file",
        description = "A file holding the bootstrap secret (sent as Secret-Value).")
    Path secretFile;

    @Option(
        names = "--basic-file",
        description = "A file holding <username>:<password> for HTTP Basic.")
    Path basicFile;
  }

  @Option(
      names = "--key",
      defaultValue = "ec-p256",
      description = "Key type: ec-p256 (default) or rsa-2048.")
  String keyType;

  @Option(
      names = "--pkcs11",
      paramLabel = "URI",
      description = {
        "Make the keys inside this PKCS#11 token (RFC 7512 URI naming the token, its module and",
        "PIN: pkcs11:token=factory?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin).",
        "Each key is labelled with its device id; <out>/<id>/IDevID.key.uri names it."
      })
  String pkcs11;

  @Option(
      names = "--concurrency",
      defaultValue = "4",
      description = "Devices enrolled at once (default 4).")
  int concurrency;

  private final SecureRandom random = new SecureRandom();
  private final Clock clock = Clock.systemUTC();

  @Override
  public Integer call() throws Exception {
    validate();
    X509Certificate root = readRoot();
    Optional<String> secret = Optional.empty();
    Optional<BasicAuth> basic = Optional.empty();
    if (credential.secretFile != null) {
      secret = Optional.of(firstLine(credential.secretFile, "--secret-file"));
    } else {
      String line = firstLine(credential.basicFile, "--basic-file");
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new CliFailure(
            CliFailure.USAGE,
            "--basic-file "
                + credential.basicFile
                + " must hold <username>:<password> on one line");
      }
      basic = Optional.of(new BasicAuth(line.substring(0, colon), line.substring(colon + 1)));
    }
    try (IdevidKeys keys = openKeys()) {
      return run(root, secret, basic, keys);
    }
  }

  private IdevidKeys openKeys() {
    if (pkcs11 == null) {
      return IdevidKeys.software(random);
    }
    try {
      return IdevidKeys.token(pkcs11);
    } catch (IOException | RuntimeException e) {
      throw new CliFailure(CliFailure.USAGE, "--pkcs11: " + e.getMessage());
    }
  }

  private Integer run(
      X509Certificate root, Optional<String> secret, Optional<BasicAuth> basic, IdevidKeys keys)
      throws InterruptedException, IOException {
    Enroller enroller =
        new Enroller(
            new EstClient(List.of(root), Duration.ofSeconds(30), clock),
            EstIdentity.basicOnly(basic),
            secret.orElse(null),
            root,
            keys);
    List<X509Certificate> chain = enroller.chain();

    Progress progress = new Progress(System.out, System.err, Progress.onTerminal(), count);
    int width = Math.max(4, Integer.toString(count).length());
    Map<String, Manifest.Row> rows = new LinkedHashMap<>();
    Path manifestFile = out.resolve("manifest.csv");
    Manifest.read(manifestFile)
        .forEach(
            (id, row) -> {
              if (!isBatchId(id, width)) {
                rows.put(id, row); // another batch's device: kept as it was
              }
            });
    List<String> todo = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String id = prefix + String.format("%0" + width + "d", i);
      Path dir = out.resolve(id);
      if (!Files.exists(dir.resolve(Device.CERT))) {
        if (Files.isDirectory(dir)) {
          progress.redoing(id, "no " + Device.CERT);
        }
        todo.add(id);
        continue;
      }
      try {
        Manifest.Row row = Device.check(id, dir, keys, root, chain, clock.instant());
        rows.put(id, row);
        progress.skipped(id, row.serial());
      } catch (PkiException | IOException | RuntimeException e) {
        progress.redoing(id, e.getMessage());
        todo.add(id);
      }
    }
    if (todo.isEmpty()) {
      Manifest.start(manifestFile, rows.values()).close();
      System.out.println(progress.summary());
      return 0;
    }
    // Devices one at a time until one is made: a wrong secret (or no server) stops the batch at
    // the first device, before anything is written; then the rest, --concurrency at a time.
    int next = 0;
    String first = null;
    Made firstMade = null;
    while (firstMade == null && next < todo.size()) {
      String id = todo.get(next++);
      try {
        firstMade = enroller.make(id, keyType);
        first = id;
      } catch (EstException e) {
        if (e.status() == 401 || e.kind() == EstException.Kind.UNREACHABLE) {
          throw stop(e);
        }
        progress.failed(id, e.getMessage());
      } catch (PkiException | IOException e) {
        progress.failed(id, e.getMessage());
      }
    }
    AtomicReference<CliFailure> stopped = new AtomicReference<>();
    try (Manifest manifest = Manifest.start(manifestFile, rows.values())) {
      if (firstMade != null) {
        finish(first, firstMade, chain, root, manifest, progress, keys);
      }
      try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
        for (String id : todo.subList(next, todo.size())) {
          pool.submit(
              () -> {
                if (stopped.get() != null) {
                  return;
                }
                try {
                  finish(id, enroller.make(id, keyType), chain, root, manifest, progress, keys);
                } catch (EstException e) {
                  if (e.status() == 401) {
                    stopped.compareAndSet(null, stop(e));
                  } else {
                    progress.failed(id, e.getMessage());
                  }
                } catch (Exception e) {
                  progress.failed(id, String.valueOf(e.getMessage()));
                }
              });
        }
        pool.shutdown();
        pool.awaitTermination(365, TimeUnit.DAYS);
      }
    }
    System.out.println(progress.summary());
    if (stopped.get() != null) {
      throw stopped.get();
    }
    if (progress.failed() > 0) {
      throw new CliFailure(
          CliFailure.FAILED,
          progress.failed()
              + " of "
              + count
              + " devices failed (reasons above); run the same command again to make them");
    }
    return 0;
  }

  private void finish(
      String id,
      Made made,
      List<X509Certificate> chain,
      X509Certificate root,
      Manifest manifest,
      Progress progress,
      IdevidKeys keys) {
    try {
      Path dir = out.resolve(id);
      Device.clear(dir);
      Manifest.Row row = Device.write(id, dir, keys, made.key(), made.cert(), chain, root);
      manifest.append(row);
      progress.made(id, row.serial());
    } catch (IOException e) {
      progress.failed(id, "cannot write its files: " + e.getMessage());
    }
  }

  /** One sentence for a refusal that stops the batch: the credentials are wrong or used up. */
  private CliFailure stop(EstException e) {
    if (e.kind() == EstException.Kind.UNREACHABLE) {
      return new CliFailure(
          CliFailure.UNREACHABLE, "no EST server answered at " + estUrl + ": " + e.getMessage());
    }
    String what =
        credential.secretFile != null
            ? "the bootstrap secret in " + credential.secretFile
            : "the Basic credentials in " + credential.basicFile;
    if (e.status() == 401) {
      return new CliFailure(
          CliFailure.FAILED,
          "the EST server refused " + what + " (" + e.getMessage() + "); the batch stopped");
    }
    return new CliFailure(CliFailure.FAILED, e.getMessage() + "; the batch stopped");
  }

  private boolean isBatchId(String id, int width) {
    if (!id.startsWith(prefix) || id.length() != prefix.length() + width) {
      return false;
    }
    String n = id.substring(prefix.length());
    if (!n.chars().allMatch(Character::isDigit)) {
      return false;
    }
    int i = Integer.parseInt(n);
    return i >= 1 && i <= count;
  }

  private void validate() {
    if (count < 1 || count > 1_000_000) {
      throw new CliFailure(CliFailure.USAGE, "--count must be between 1 and 1000000, not " + count);
    }
    if (!PREFIX.matcher(prefix).matches()) {
      throw new CliFailure(
          CliFailure.USAGE,
          "--prefix '"
              + prefix
              + "' must be letters, digits, '.', '_' or '-' (at most 48, starting with a letter or digit)");
    }
    if (concurrency < 1 || concurrency > 64) {
      throw new CliFailure(
          CliFailure.USAGE, "--concurrency must be between 1 and 64, not " + concurrency);
    }
    if (!List.of("ec-p256", "rsa-2048").contains(keyType)) {
      throw new CliFailure(
          CliFailure.USAGE, "--key must be ec-p256 or rsa-2048, not '" + keyType + "'");
    }
    if (!"https".equalsIgnoreCase(estUrl.getScheme()) || estUrl.getHost() == null) {
      throw new CliFailure(
          CliFailure.USAGE, "--est-url '" + estUrl + "' must be an https:// URL with a host");
    }
  }

  private X509Certificate readRoot() {
    try {
      return Pem.certificates(Files.readString(cacert, StandardCharsets.US_ASCII)).get(0);
    } catch (IOException | PkiException e) {
      throw new CliFailure(CliFailure.USAGE, "--cacert " + cacert + ": " + e.getMessage());
    }
  }

  private static String firstLine(Path file, String option) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      String line = text.lines().findFirst().orElse("").strip();
      if (line.isEmpty()) {
        throw new CliFailure(CliFailure.USAGE, option + " " + file + " is empty");
      }
      return line;
    } catch (IOException e) {
      throw new CliFailure(CliFailure.USAGE, option + " " + file + ": cannot read it (" + e + ")");
    }
  }

  /** A device's key and its checked certificate, not yet written. */
  record Made(KeyHandle key, X509Certificate cert) {}

  /** Talks EST: the label's CA chain, and one enrollment per device. */
  private final class Enroller {
    private final EstClient client;
    private final EstIdentity identity;
    private final String secret;
    private final X509Certificate root;
    private final IdevidKeys keys;
    private List<X509Certificate> chain;

    Enroller(
        EstClient client,
        EstIdentity identity,
        String secret,
        X509Certificate root,
        IdevidKeys keys) {
      this.client = client;
      this.identity = identity;
      this.secret = secret;
      this.root = root;
      this.keys = keys;
    }

    /** The issuing CAs between a device's certificate and the root, from {@code cacerts}. */
    List<X509Certificate> chain() {
      List<X509Certificate> cas;
      try {
        cas = client.caCerts(estUrl, identity);
      } catch (EstException e) {
        throw stop(e);
      }
      chain =
          cas.stream()
              .filter(c -> !c.getSubjectX500Principal().equals(c.getIssuerX500Principal()))
              .toList();
      return chain;
    }

    Made make(String id, String type) throws EstException, PkiException, IOException {
      KeyHandle key = keys.make(id, type);
      byte[] csr =
          CsrBuilder.build(
              id,
              CsrBuilder.Kind.CLIENT_IDENTITY,
              key.publicKey(),
              key.privateKey(),
              key.provider());
      List<X509Certificate> answer =
          secret == null
              ? client.simpleEnroll(estUrl, csr, identity)
              : client.simpleEnroll(estUrl, csr, identity, secret);
      X509Certificate cert = answer.get(0);
      if (!Arrays.equals(cert.getPublicKey().getEncoded(), key.publicKey().getEncoded())) {
        throw new PkiException("the server answered with a certificate for another key");
      }
      List<X509Certificate> path = new ArrayList<>(answer);
      path.addAll(chain);
      new ChainValidator(List.of(root)).validate(path, clock.instant());
      return new Made(key, cert);
    }
  }
}
