package dev.estuary.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.estuary.config.Durations;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code estuary sim}: the fleet simulator (docs/reliability.md, "The fleet simulator"). */
@Command(
    name = "estuary sim",
    mixinStandardHelpOptions = true,
    description = {
      "Runs N real agents (each with its own keys, state and renewal engine) through bootstrap,",
      "registration and repeated renewals against real servers, under a scenario of faults, and",
      "reports whether any device ever went without a valid certificate, lost certificates and",
      "duplicate serials. Managed mode (default): N replicas of the server on a PostgreSQL the",
      "simulator starts; --url: an existing quickstart server (network faults only).",
      "Exit 0 when the promise held, 3 when it broke, 1 on a failure of the run, 2 on bad usage."
    })
public final class SimCommand implements Callable<Integer> {
  private static final Pattern PERCENT = Pattern.compile("([1-9]\\d?)%");

  @Option(names = "--devices", defaultValue = "100", description = "Devices (default 100).")
  int devices;

  @Option(
      names = "--lifetime",
      defaultValue = "10m",
      description = "Device certificates' lifetime, simulated (default 10m; managed mode only).")
  String lifetime;

  @Option(
      names = "--threshold",
      defaultValue = "80%",
      description = "Renew at this share of the lifetime (default 80%%).")
  String threshold;

  @Option(
      names = "--retry",
      defaultValue = "4%",
      description = "Retry after a failure after this share of the lifetime (default 4%%).")
  String retry;

  @Option(
      names = "--duration",
      defaultValue = "30m",
      description = "How long the run lasts, simulated (default 30m).")
  String duration;

  @Option(
      names = "--speed",
      defaultValue = "1",
      description =
          "Times faster than real time: every simulated duration (lifetime, scenario times,"
              + " duration) shrinks by this factor; the report multiplies back (default 1).")
  double speed;

  @Option(
      names = "--ramp",
      description = "Devices start spread over this long, simulated (default: half the lifetime).")
  String ramp;

  @Option(names = "--scenario", paramLabel = "FILE", description = "Scenario file (TOML).")
  Path scenario;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "Run against this running server's device port (e.g. https://localhost:8443).")
  URI url;

  @Option(
      names = "--info",
      paramLabel = "FILE",
      description =
          "With --url: the server's quickstart.json (root, bootstrap secret, ID scope, admin token).")
  Path info;

  @Option(
      names = "--replicas",
      defaultValue = "2",
      description = "Managed mode: server replicas sharing one PostgreSQL (default 2).")
  int replicas;

  @Option(
      names = "--work",
      paramLabel = "DIR",
      description =
          "Where the devices, server data and logs go (default: a new temporary directory, kept).")
  Path work;

  @Option(
      names = "--estuary-jar",
      paramLabel = "JAR",
      description = "The estuary jar the servers and commands run from (default: $ESTUARY_JAR).")
  Path estuaryJar;

  @Option(
      names = "--concurrency",
      defaultValue = "1000",
      description =
          "Agent steps running at once (default 1000: a step mostly waits on the network or a"
              + " DPS poll, on a virtual thread).")
  int concurrency;

  @Option(names = "--json", description = "Print the report as JSON instead of a table.")
  boolean json;

  @Option(names = "--chart", paramLabel = "FILE", description = "Write a PNG chart of the run.")
  Path chart;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SimCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.ERROR);
    PrintStream log = System.err;
    Simulation.Options options;
    try {
      options = options();
    } catch (IllegalArgumentException e) {
      log.println("estuary sim: " + e.getMessage());
      return 2;
    }
    agentLog(options.work().resolve("agents.log"));
    Simulation sim = new Simulation(options, log);
    Report report;
    try {
      report = sim.run();
    } catch (Exception e) {
      log.println(
          "estuary sim: the run failed: " + e.getMessage() + " (work: " + options.work() + ")");
      return 1;
    }
    if (json) {
      System.out.println(report.json());
    } else {
      report.table(System.out);
    }
    if (chart != null) {
      sim.chart(chart);
      log.println("sim: chart in " + chart);
    }
    log.println("sim: devices, server data and logs kept in " + options.work());
    return report.promiseHeld() ? 0 : 3;
  }

  /**
   * The agents' own warnings (each failed attempt, with its reason and next attempt) in one file,
   * each line with its device ({@code device} in the logging context, set by {@link SimDevice}):
   * what a lapse's device went through is there. Everything else the agents log is left out.
   */
  private static void agentLog(Path file) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %X{device} %-5level %logger{0} - %msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("agents");
    appender.setFile(file.toString());
    appender.setEncoder(encoder);
    appender.start();
    Logger agent = context.getLogger("dev.estuary.agent");
    agent.setLevel(Level.WARN);
    agent.addAppender(appender);
    agent.setAdditive(false); // not also on the console: stdout carries the report
  }

  private Simulation.Options options() throws Exception {
    if (devices < 1 || devices > 1_000_000) {
      throw new IllegalArgumentException("--devices must be from 1 to 1000000, was " + devices);
    }
    for (String p : new String[] {threshold, retry}) {
      if (!PERCENT.matcher(p).matches()) {
        throw new IllegalArgumentException(
            "'" + p + "' is not a share of the lifetime: give --threshold/--retry as 1% to 99%");
      }
    }
    Duration life = duration("--lifetime", lifetime);
    Duration run = duration("--duration", duration);
    Speed s = new Speed(speed);
    if (s.real(life).compareTo(Duration.ofSeconds(10)) < 0) {
      throw new IllegalArgumentException(
          "--lifetime "
              + lifetime
              + " at --speed "
              + speed
              + " is "
              + s.real(life).toMillis()
              + " ms of real time; give at least 10 s real (a server restart, a TLS handshake and"
              + " the agent's 1 s minimum retry do not shrink)");
    }
    if ((url == null) != (info == null)) {
      throw new IllegalArgumentException("--url and --info go together");
    }
    if (replicas < 1 || replicas > 16) {
      throw new IllegalArgumentException("--replicas must be from 1 to 16, was " + replicas);
    }
    if (concurrency < 1 || concurrency > 4096) {
      throw new IllegalArgumentException("--concurrency must be from 1 to 4096");
    }
    Scenario sc = scenario == null ? Scenario.none() : Scenario.read(scenario);
    if (url != null) {
      for (Scenario.Event e : sc.events()) {
        if (!e.kind().equals("net") && !e.kind().equals("revoke") && !e.kind().equals("skew")) {
          throw new IllegalArgumentException(
              "scenario event '"
                  + e.kind()
                  + "' needs the managed mode (the simulator's own servers), not --url");
        }
      }
    }
    Path jar = estuaryJar;
    if (jar == null) {
      String env = System.getenv("ESTUARY_JAR");
      if (env == null || env.isBlank()) {
        throw new IllegalArgumentException(
            "give --estuary-jar (the estuary-all.jar the servers run from), or run ./estuary sim");
      }
      jar = Path.of(env);
    }
    Path dir =
        work != null ? Files.createDirectories(work) : Files.createTempDirectory("estuary-sim-");
    Duration r = ramp != null ? duration("--ramp", ramp) : life.dividedBy(2);
    return new Simulation.Options(
        devices,
        life,
        threshold,
        retry,
        run,
        s,
        sc,
        url,
        info,
        replicas,
        dir.toAbsolutePath(),
        jar,
        concurrency,
        r);
  }

  private static Duration duration(String option, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
  }
}
