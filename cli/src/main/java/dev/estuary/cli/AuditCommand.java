package dev.estuary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.server.audit.AuditJson;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.audit.AuditRecord;
import dev.estuary.server.audit.ChainWalk;
import dev.estuary.server.config.ConfigException;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.config.ServerConfigParser;
import dev.estuary.server.store.Database;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code estuary server audit verify|export}: reads the audit log from the database that
 * server.toml names, with the server stopped or running. An H2 database that a running server holds
 * (H2 allows one process) is read through the server's admin API instead, page by page, and the
 * chain is checked here all the same.
 */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Verify or export the audit log (a hash chain of every security-relevant event).",
    subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class})
final class AuditCommand {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PAGE = 1000;

  /** Where the log is: the data directory's server.toml (or --config), else the admin API. */
  static final class Source {
    @Mixin AdminConnection admin;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "The server.toml naming the database (default: DIR/server.toml).")
    Path config;

    /** The database, or null when a running server holds its H2 file. */
    Database open() {
      Path file = config != null ? config : admin.dataDir.resolve("server.toml");
      if (!Files.isRegularFile(file)) {
        throw new CliFailure(
            CliFailure.USAGE,
            file.toAbsolutePath()
                + " does not exist: give --data-dir DIR (with its server.toml) or --config FILE");
      }
      ServerConfig cfg;
      try {
        cfg = ServerConfigParser.parse(file);
      } catch (ConfigException e) {
        throw new CliFailure(CliFailure.USAGE, e.getMessage(), e);
      }
      try {
        return Database.open(
            cfg.database().url(), cfg.database().user(), cfg.database().password(), 2);
      } catch (RuntimeException e) {
        if (cfg.database().url().startsWith("jdbc:h2:") && heldByAnotherProcess(e)) {
          return null;
        }
        throw new CliFailure(
            CliFailure.UNREACHABLE,
            "cannot open the database " + cfg.database().url() + ": " + rootMessage(e),
            e);
      }
    }

    /**
     * Every record in id order through the admin API; returns the head read before the first page.
     */
    AuditLog.Head viaApi(Consumer<AuditLog.Head> onHead, Consumer<AuditRecord> each)
        throws Exception {
      long after = 0;
      AuditLog.Head head = null;
      while (true) {
        JsonNode page = admin.call("GET", "audit?limit=" + PAGE + "&after=" + after, null);
        if (head == null) {
          head =
              new AuditLog.Head(
                  page.path("head").path("lastId").asLong(),
                  page.path("head").path("lastHash").asText());
          onHead.accept(head);
        }
        for (JsonNode r : page.path("records")) {
          AuditRecord rec = AuditJson.record(r);
          each.accept(rec);
          after = rec.id();
        }
        if (page.path("next").isNull() || page.path("records").isEmpty()) {
          return head;
        }
      }
    }
  }

  static boolean heldByAnotherProcess(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("Database may be already in use") || m.contains("The file is locked")) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage()).lines().findFirst().orElse("");
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Walks the audit log's hash chain from the first record and names the first bad one",
        "(changed, missing, reordered, or added outside the server). Exit 0: intact; 1: not.",
        "Prints the head's hash: keep it somewhere else; a later verify must pass through it."
      })
  static final class Verify implements Callable<Integer> {
    @Mixin Source source;

    @Override
    public Integer call() throws Exception {
      AuditLog.Verification v;
      String how;
      try (Database db = source.open()) {
        if (db != null) {
          v = new AuditLog(db.jdbi(), Clock.systemUTC()).verify();
          how = "read from the database";
        } else {
          v = viaApi(source);
          how = "read through the running server's admin API (it holds the H2 file)";
        }
      }
      if (!v.ok()) {
        throw new CliFailure(
            CliFailure.FAILED,
            "the audit log is NOT intact: record "
                + v.badId()
                + ": "
                + v.problem()
                + " ("
                + v.records()
                + " records before it are intact; "
                + how
                + ")");
      }
      System.out.println(
          "audit log intact: "
              + v.records()
              + " records, head hash "
              + v.headHash()
              + " ("
              + how
              + ")");
      return 0;
    }

    /**
     * The same checks on the API's pages. The head is read before the first page: the chain must
     * reach it with that hash; records appended since are checked as links only.
     */
    private static AuditLog.Verification viaApi(Source source) throws Exception {
      ChainWalk walk = new ChainWalk();
      AuditLog.Verification[] bad = new AuditLog.Verification[1];
      AuditLog.Head head =
          source.viaApi(
              h -> walk.watch(h.lastId()),
              r -> {
                if (bad[0] == null) {
                  bad[0] = walk.next(r);
                }
              });
      if (bad[0] != null) {
        return bad[0];
      }
      return walk.endAtLeast(head);
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description =
          "Writes every audit record as one JSON object per line (JSON Lines), oldest first.")
  static final class Export implements Callable<Integer> {
    @Mixin Source source;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Where to write (must not exist); default: standard output.")
    Path out;

    @Override
    public Integer call() throws Exception {
      if (out != null && Files.exists(out)) {
        throw new CliFailure(CliFailure.USAGE, out + " exists: export never overwrites a file");
      }
      long[] n = new long[1];
      try (Writer w =
          new BufferedWriter(
              out == null
                  ? new OutputStreamWriter(System.out, StandardCharsets.UTF_8)
                  : Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
        Consumer<AuditRecord> line =
            r -> {
              try {
                w.write(JSON.writeValueAsString(AuditJson.json(r)));
                w.write('\n');
                n[0]++;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            };
        try (Database db = source.open()) {
          if (db != null) {
            new AuditLog(db.jdbi(), Clock.systemUTC()).forEach(line);
          } else {
            source.viaApi(h -> {}, line);
          }
        }
      }
      if (out != null) {
        System.err.println("exported " + n[0] + " audit records to " + out.toAbsolutePath());
      }
      return 0;
    }
  }
}
