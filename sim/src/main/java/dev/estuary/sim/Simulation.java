package dev.estuary.sim;

import dev.estuary.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * One run: the servers (managed or by URL), the fault proxy in front of them, the fleet's IDevIDs
 * from the real factory tool, N real agents stepped by a bounded scheduler, the scenario's events
 * at their (accelerated) times, a sampler, and the checks at the end against the database.
 */
final class Simulation {
  /** What the command line asked for. */
  record Options(
      int devices,
      Duration lifetime,
      String threshold,
      String retry,
      Duration duration,
      Speed speed,
      Scenario scenario,
      URI url,
      Path info,
      int replicas,
      Path work,
      Path estuaryJar,
      int concurrency,
      Duration ramp) {}

  /** A device's next step, in real time. */
  private record Due(SimDevice device, Instant at) implements Delayed {
    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(Instant.now(), at).toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return at.compareTo(((Due) o).at);
    }
  }

  private final Options o;
  private final PrintStream log;
  private final Trust trust = new Trust();
  private final List<SimDevice> devices = new ArrayList<>();
  private final List<Report.EventRecord> events = new ArrayList<>();
  private final AtomicInteger nextReplica = new AtomicInteger();
  private Stats stats;
  private Instant start;

  Simulation(Options o, PrintStream log) {
    this.o = o;
    this.log = log;
  }

  Report run() throws Exception {
    Path logs = Files.createDirectories(o.work().resolve("logs"));
    EstuaryJar jar = new EstuaryJar(o.estuaryJar(), logs);
    Duration realLifetime = o.speed().real(o.lifetime());
    Instant setupStart = Instant.now();
    try (Servers servers =
            o.url() != null
                ? new External(o.url(), o.info())
                : Cluster.start(jar, o.work(), o.replicas(), realLifetime, log);
        FaultProxy proxy = new FaultProxy(servers.backends())) {
      trust.update(servers.caCertificates());
      String base = "https://localhost:" + proxy.port();
      makeDevices(jar, servers.setup(), base);
      Duration setup = Duration.between(setupStart, Instant.now());
      log.println(
          "sim: "
              + devices.size()
              + " devices ready (IDevIDs from estuary factory idevid) after "
              + setup.toSeconds()
              + " s of set-up; running "
              + o.duration()
              + " simulated ("
              + o.speed().real(o.duration()).toSeconds()
              + " s real) through the proxy at "
              + base);
      start = Instant.now();
      stats = new Stats(start, o.speed());
      Instant end = start.plus(o.speed().real(o.duration()));
      Thread scenario = Thread.ofPlatform().name("sim-scenario").start(() -> play(servers, proxy));
      Thread sampler = Thread.ofPlatform().name("sim-sampler").daemon().start(() -> sample(end));
      drive(end);
      scenario.interrupt();
      scenario.join(Duration.ofMinutes(2));
      sampler.join(Duration.ofSeconds(5));
      Instant finished = Instant.now();
      sampleAll(finished);
      Report r = check(servers, proxy, setup, finished);
      devices.forEach(SimDevice::close);
      return r;
    }
  }

  private void makeDevices(EstuaryJar jar, Servers.Setup setup, String base) throws Exception {
    Path out = o.work().resolve("devices");
    Path secret = o.work().resolve("factory.secret");
    AtomicFiles.write(
        secret, (setup.factorySecret() + "\n").getBytes(StandardCharsets.UTF_8), "rw-------");
    jar.run(
        "factory.log",
        3600,
        List.of(
            "factory",
            "idevid",
            "--count",
            String.valueOf(o.devices()),
            "--prefix",
            "sim-",
            "--out",
            out.toString(),
            "--est-url",
            base + "/.well-known/est/idevid",
            "--cacert",
            setup.rootCa().toString(),
            "--secret-file",
            secret.toString(),
            "--concurrency",
            "16"));
    String template = template();
    List<Path> dirs;
    try (Stream<Path> s = Files.list(out)) {
      dirs = s.filter(Files::isDirectory).sorted().toList();
    }
    for (Path dir : dirs) {
      String id = dir.getFileName().toString();
      String files = dir.toAbsolutePath().toUri().toString();
      String est = base + "/.well-known/est/";
      String config =
          template
              .replace("file:///var/aziot/certs/globalsign-root.cert.pem", files + "root-ca.pem")
              .replace("file:///var/aziot/certs/", files)
              .replace("file:///var/aziot/secrets/", files)
              .replace(
                  "https://<YOUR-LDEVID-ENDPOINT>.est.edge.dev.globalsign.com:443/.well-known/est/",
                  est + "device-id/")
              .replace(
                  "https://<YOUR-EDGE-CA-ENDPOINT>.est.edge.dev.globalsign.com:443/.well-known/est/",
                  est + "edge-ca/")
              .replace("https://global.azure-devices-provisioning.net", base)
              .replace("<DPS-ID-SCOPE e.g 0AB12345678>", setup.idScope())
              .replace("my-device-id", id)
              .replace("threshold = \"80%\"", "threshold = \"" + o.threshold() + "\"")
              .replace("retry = \"4%\"", "retry = \"" + o.retry() + "\"");
      Files.writeString(dir.resolve("config.toml"), config);
      devices.add(new SimDevice(id, dir));
    }
    if (devices.size() != o.devices()) {
      throw new IOException(
          "the factory made " + devices.size() + " devices, not " + o.devices() + " (" + out + ")");
    }
  }

  private static String template() throws IOException {
    try (InputStream in = Simulation.class.getResourceAsStream("seed-config.toml")) {
      if (in == null) {
        throw new IOException("seed-config.toml is missing from the simulator's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The scheduler: steps due devices on virtual threads, {@code concurrency} at a time. */
  private void drive(Instant end) throws InterruptedException {
    DelayQueue<Due> queue = new DelayQueue<>();
    Duration ramp = o.speed().real(o.ramp());
    for (int i = 0; i < devices.size(); i++) {
      queue.add(
          new Due(
              devices.get(i), start.plusNanos(ramp.toNanos() * i / Math.max(1, devices.size()))));
    }
    Semaphore slots = new Semaphore(o.concurrency());
    Duration afterError = Duration.ofSeconds(1);
    while (Instant.now().isBefore(end)) {
      Due d = queue.poll(100, TimeUnit.MILLISECONDS);
      if (d == null) {
        continue;
      }
      slots.acquire();
      Thread.startVirtualThread(
          () -> {
            Instant next;
            Instant began = Instant.now();
            try {
              SimDevice.Stepped stepped = d.device().step(stats, trust);
              next = stepped.next();
              stats.stepTook(d.device().id, began, Duration.between(began, Instant.now()), stepped);
            } catch (IOException | RuntimeException e) {
              stats.stepErrors.increment();
              stats
                  .errorsByKind
                  .computeIfAbsent("local: " + e.getClass().getSimpleName(), k -> new LongAdder())
                  .increment();
              next = Instant.now().plus(afterError);
            } finally {
              slots.release();
            }
            queue.add(new Due(d.device(), next));
          });
    }
    // The steps in flight finish (their results count); nothing new starts.
    slots.acquire(o.concurrency());
    slots.release(o.concurrency());
  }

  private void sample(Instant end) {
    Duration every = o.speed().real(o.lifetime()).dividedBy(50);
    if (every.compareTo(Duration.ofMillis(100)) < 0) {
      every = Duration.ofMillis(100);
    } else if (every.compareTo(Duration.ofSeconds(1)) > 0) {
      every = Duration.ofSeconds(1);
    }
    long minute = 0;
    while (Instant.now().isBefore(end)) {
      Instant now = Instant.now();
      sampleAll(now);
      long simulatedMinute = stats.simulatedSince(now).toMinutes();
      if (simulatedMinute > minute) {
        minute = simulatedMinute;
        progress(minute);
      }
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One line a simulated minute on stderr, so a run that goes wrong shows it while it runs. */
  private void progress(long minute) {
    Stats.Sample last = stats.samples.getLast();
    log.println(
        "sim: minute "
            + minute
            + ": "
            + last.enrolled()
            + " enrolled, "
            + last.devicesWithoutValid()
            + " without a valid certificate; so far "
            + stats.renewed.sum()
            + " renewals, "
            + stats.failed.sum()
            + " failed attempts "
            + stats.errors());
  }

  private void sampleAll(Instant now) {
    int invalid = 0;
    int enrolled = 0;
    for (SimDevice d : devices) {
      if (!d.sample(now, trust, stats)) {
        invalid++;
      }
      if (d.enrolled()) {
        enrolled++;
      }
    }
    stats.sample(now, invalid, enrolled);
  }

  /** The scenario, in order, each event at its time (an {@code every} repeats until the end). */
  private void play(Servers servers, FaultProxy proxy) {
    List<Scenario.Event> timeline = new ArrayList<>();
    for (Scenario.Event e : o.scenario().events()) {
      timeline.add(e);
      if (e.every() != null) {
        for (Duration t = e.at().plus(e.every());
            t.compareTo(o.duration()) < 0;
            t = t.plus(e.every())) {
          timeline.add(
              new Scenario.Event(
                  t,
                  e.kind(),
                  e.replica(),
                  e.restartAfter(),
                  null,
                  e.fault(),
                  e.lasting(),
                  e.percent(),
                  e.delay(),
                  e.label(),
                  e.devices(),
                  e.skew()));
        }
      }
    }
    timeline.sort((a, b) -> a.at().compareTo(b.at()));
    for (Scenario.Event e : timeline) {
      Instant when = start.plus(o.speed().real(e.at()));
      try {
        long wait = Duration.between(Instant.now(), when).toMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
      } catch (InterruptedException x) {
        return;
      }
      Instant began = Instant.now();
      String outcome = "done";
      try {
        apply(e, servers, proxy);
      } catch (InterruptedException x) {
        return;
      } catch (Exception x) {
        String m = String.valueOf(x.getMessage());
        outcome = m.startsWith("skipped") ? m : "failed: " + m;
      }
      Duration took = Duration.between(began, Instant.now());
      log.println(
          "sim: at "
              + stats.simulatedSince(began).toSeconds()
              + " s simulated: "
              + e.describe()
              + ": "
              + outcome
              + " ("
              + took.toMillis()
              + " ms real)");
      synchronized (events) {
        events.add(
            new Report.EventRecord(
                stats.simulatedSince(began).toSeconds(), e.describe(), outcome, took.toMillis()));
      }
    }
  }

  private void apply(Scenario.Event e, Servers servers, FaultProxy proxy) throws Exception {
    switch (e.kind()) {
      case "kill-replica" -> {
        int index = e.replica() != 0 ? e.replica() : nextReplica.incrementAndGet();
        servers.killReplica(index, o.speed().real(e.restartAfter()));
      }
      case "db-stop" -> servers.dbStop();
      case "db-start" -> servers.dbStart();
      case "net" ->
          proxy.inject(
              new FaultProxy.Fault(
                  e.fault(),
                  e.percent() / 100.0,
                  o.speed().real(e.delay()),
                  Instant.now().plus(o.speed().real(e.lasting()))));
      case "roll-ca" -> {
        servers.caCommand(List.of("roll", "--label", e.label()));
        trust.update(servers.caCertificates());
      }
      case "roll-root" -> {
        servers.caCommand(List.of("roll-root"));
        trust.update(servers.caCertificates());
      }
      case "switch-root" -> {
        servers.caCommand(List.of("switch-root"));
        trust.update(servers.caCertificates());
      }
      case "revoke" -> {
        for (SimDevice d : pick(e.devices(), false)) {
          for (SimDevice.Held h : d.revokeCurrent()) {
            servers.admin().revoke(h.leaf().getSerialNumber().toString(16));
          }
        }
      }
      case "skew" -> {
        for (SimDevice d : pick(e.devices(), true)) {
          d.clock.skew(o.speed().real(e.skew().abs()).multipliedBy(e.skew().isNegative() ? -1 : 1));
        }
      }
      default -> throw new IllegalStateException("unknown event " + e.kind());
    }
  }

  /** {@code n} devices spread over the fleet, those already revoked (or skewed) left out. */
  private List<SimDevice> pick(int n, boolean forSkew) {
    List<SimDevice> candidates =
        devices.stream().filter(d -> forSkew ? d.clock.offset().isZero() : !d.revoked()).toList();
    List<SimDevice> out = new ArrayList<>();
    int count = Math.min(n, candidates.size());
    for (int i = 0; i < count; i++) {
      out.add(candidates.get((int) ((long) i * candidates.size() / count)));
    }
    return out;
  }

  /** The run's chart (after {@link #run()}). */
  void chart(Path file) throws IOException {
    Map<Long, Long> perMinute = new TreeMap<>();
    stats.renewalsPerMinute.forEach((k, v) -> perMinute.put(k, v.sum()));
    Chart.write(
        file,
        "estuary sim: "
            + devices.size()
            + " devices, lifetime "
            + o.lifetime().toSeconds()
            + " s, speed x"
            + o.speed().factor(),
        perMinute,
        List.copyOf(stats.samples),
        List.copyOf(events),
        devices.size(),
        o.duration().toSeconds());
  }

  /** The checks after the run: lost certificates, duplicate serials, assignments. */
  private Report check(Servers servers, FaultProxy proxy, Duration setup, Instant finished)
      throws Exception {
    Collection<Stats.Received> received = stats.received.values();
    Set<String> inDb = servers.inDatabase(received);
    List<Stats.Received> lost =
        received.stream().filter(r -> !inDb.contains(r.sha256().toLowerCase(Locale.ROOT))).toList();
    Map<String, List<Stats.Received>> bySerial = new HashMap<>();
    for (Stats.Received r : received) {
      bySerial.computeIfAbsent(r.serialHex(), k -> new ArrayList<>()).add(r);
    }
    List<String> duplicates =
        new ArrayList<>(
            bySerial.entrySet().stream()
                .filter(en -> en.getValue().size() > 1)
                .map(Map.Entry::getKey)
                .toList());
    for (String s : servers.duplicateSerialsInDatabase()) {
      if (!duplicates.contains(s)) {
        duplicates.add(s);
      }
    }
    Map<String, String> registered =
        servers.registrations(devices.stream().map(d -> d.id).toList());
    List<String> notAssigned = new ArrayList<>();
    List<String> neverEnrolled = new ArrayList<>();
    Set<Integer> rootCounts = new HashSet<>();
    for (SimDevice d : devices) {
      if (!d.enrolled()) {
        neverEnrolled.add(d.id);
      }
      String dbSha = registered.getOrDefault(d.id, "");
      boolean assigned = d.assignedWithCurrent();
      if (!assigned
          || d.registration()
              .map(r -> !r.certificateSha256().equalsIgnoreCase(dbSha))
              .orElse(true)) {
        notAssigned.add(d.id);
      }
      rootCounts.add(d.trustedRoots());
    }
    return Report.of(
        o,
        stats,
        devices,
        finished,
        setup,
        Duration.between(start, finished),
        lost,
        duplicates,
        notAssigned,
        neverEnrolled,
        rootCounts,
        List.copyOf(events),
        proxy);
  }
}
