package dev.estuary.server.install;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/**
 * A logical copy of Estuary's tables, the same on H2 and PostgreSQL: read in one REPEATABLE READ,
 * read-only transaction (one snapshot: consistent while the server keeps issuing), written as JSON
 * (the schema version, then each table's columns and rows), and loaded into an empty database of
 * the same schema version, parents before the tables that refer to them. It needs no {@code
 * pg_dump} of a matching major version, and moves a store between engines as well.
 */
public final class DatabaseDump {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HISTORY = "flyway_schema_history";
  private static final int BATCH = 500;

  private DatabaseDump() {}

  /** What a dump held: its schema version and the rows per table. */
  public record Summary(String schemaVersion, Map<String, Long> rows) {}

  /** The schema version Flyway last applied to {@code ds}, or null for an empty database. */
  public static String schemaVersion(DataSource ds) {
    MigrationInfo current =
        Flyway.configure()
            .dataSource(ds)
            .locations("classpath:db/migration")
            .load()
            .info()
            .current();
    return current == null ? null : current.getVersion().getVersion();
  }

  /** Writes every Estuary table of {@code ds} to {@code out}. */
  public static Summary dump(DataSource ds, OutputStream out) throws SQLException, IOException {
    String version = schemaVersion(ds);
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("format", "estuary-database-dump");
        g.writeNumberField("formatVersion", 1);
        g.writeStringField("schemaVersion", version);
        g.writeArrayFieldStart("tables");
        for (String table : tables(c)) {
          counts.put(table, dumpTable(c, table, g));
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      c.commit();
    }
    return new Summary(version, counts);
  }

  private static long dumpTable(Connection c, String table, JsonGenerator g)
      throws SQLException, IOException {
    long n = 0;
    try (Statement s = c.createStatement()) {
      s.setFetchSize(
          1000); // PostgreSQL streams with a cursor (autocommit is off) instead of loading the
      // table
      try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
        ResultSetMetaData md = rs.getMetaData();
        int cols = md.getColumnCount();
        g.writeStartObject();
        g.writeStringField("table", table);
        g.writeArrayFieldStart("columns");
        for (int i = 1; i <= cols; i++) {
          g.writeStartObject();
          g.writeStringField("name", md.getColumnName(i).toLowerCase(Locale.ROOT));
          g.writeStringField("type", kind(md.getColumnType(i)));
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("rows");
        while (rs.next()) {
          g.writeStartArray();
          for (int i = 1; i <= cols; i++) {
            write(g, kind(md.getColumnType(i)), rs, i);
          }
          g.writeEndArray();
          n++;
        }
        g.writeEndArray();
        g.writeEndObject();
      }
    }
    return n;
  }

  /**
   * How a column's values are written: text, number (exact, as text), integer, boolean, bytes,
   * instant.
   */
  private static String kind(int sqlType) {
    return switch (sqlType) {
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> "bytes";
      case Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP -> "instant";
      case Types.NUMERIC, Types.DECIMAL, Types.BIGINT -> "number";
      case Types.INTEGER, Types.SMALLINT, Types.TINYINT -> "integer";
      case Types.BOOLEAN, Types.BIT -> "boolean";
      default -> "text";
    };
  }

  private static void write(JsonGenerator g, String kind, ResultSet rs, int i)
      throws SQLException, IOException {
    Object probe = rs.getObject(i);
    if (probe == null) {
      g.writeNull();
      return;
    }
    switch (kind) {
      case "bytes" -> g.writeString(Base64.getEncoder().encodeToString(rs.getBytes(i)));
      case "instant" -> g.writeString(rs.getObject(i, OffsetDateTime.class).toInstant().toString());
      case "number" -> g.writeString(rs.getBigDecimal(i).toPlainString());
      case "integer" -> g.writeNumber(rs.getLong(i));
      case "boolean" -> g.writeBoolean(rs.getBoolean(i));
      default -> g.writeString(rs.getString(i));
    }
  }

  /**
   * Loads a dump into {@code ds}, which must have been migrated to the dump's schema version and
   * hold no rows yet; all in one transaction.
   *
   * @throws IllegalArgumentException when the versions differ or the database is not empty
   */
  public static Summary load(DataSource ds, InputStream in) throws SQLException, IOException {
    String target = schemaVersion(ds);
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection c = ds.getConnection();
        JsonParser p = JSON.getFactory().createParser(in)) {
      c.setAutoCommit(false);
      for (String table : tables(c)) {
        if (table.equalsIgnoreCase(AUDIT_HEAD)) {
          continue; // a new database's chain head (no records yet); replaced by the dump's below
        }
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
          rs.next();
          if (rs.getLong(1) > 0) {
            throw new IllegalArgumentException(
                "the target database is not empty (table "
                    + table
                    + " has rows): restore wants an empty one");
          }
        }
      }
      try (Statement s = c.createStatement()) {
        // The audit chain's head of an empty database (last_id 0): the dump holds the real one.
        s.executeUpdate("DELETE FROM " + AUDIT_HEAD + " WHERE last_id = 0");
      }
      expect(p, JsonToken.START_OBJECT);
      String version = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "format" -> {
            if (!p.getText().equals("estuary-database-dump")) {
              throw new IllegalArgumentException(
                  "not an Estuary database dump (format " + p.getText() + ")");
            }
          }
          case "schemaVersion" -> {
            version = p.getText();
            if (!version.equals(target)) {
              throw new IllegalArgumentException(
                  "the dump has schema version "
                      + version
                      + ", this Estuary's is "
                      + target
                      + ": restore with the Estuary version that made the backup, then upgrade (docs/operations.md)");
            }
          }
          case "tables" -> {
            if (version == null) {
              throw new IllegalArgumentException(
                  "the dump names no schema version before its tables");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
              JsonNode header = readHeader(p);
              counts.put(header.get("table").asText(), loadRows(c, header, p));
            }
          }
          default -> p.skipChildren();
        }
      }
      c.commit();
    }
    return new Summary(target, counts);
  }

  /** Reads "table" and "columns", leaving the parser on the rows array's start. */
  private static JsonNode readHeader(JsonParser p) throws IOException {
    var header = JSON.createObjectNode();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if (field.equals("rows")) {
        return header;
      }
      header.set(field, JSON.readTree(p));
    }
    throw new IOException("a table in the dump has no rows array");
  }

  private static long loadRows(Connection c, JsonNode header, JsonParser p)
      throws SQLException, IOException {
    String table = header.get("table").asText();
    if (!table.matches("[a-z_][a-z0-9_]*")) {
      throw new IOException("bad table name in the dump: " + table);
    }
    ArrayNode columns = (ArrayNode) header.get("columns");
    List<String> names = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    for (JsonNode col : columns) {
      String name = col.get("name").asText();
      if (!name.matches("[a-z_][a-z0-9_]*")) {
        throw new IOException("bad column name in the dump: " + name);
      }
      names.add(name);
      kinds.add(col.get("type").asText());
    }
    String sql =
        "INSERT INTO "
            + table
            + " ("
            + String.join(", ", names)
            + ") VALUES ("
            + "?, ".repeat(names.size() - 1)
            + "?)";
    long n = 0;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      while (p.nextToken() == JsonToken.START_ARRAY) {
        ArrayNode row = JSON.readTree(p);
        for (int i = 0; i < names.size(); i++) {
          bind(ps, i + 1, kinds.get(i), row.get(i));
        }
        ps.addBatch();
        if (++n % BATCH == 0) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
    expect(p, JsonToken.END_OBJECT);
    return n;
  }

  private static void bind(PreparedStatement ps, int i, String kind, JsonNode v)
      throws SQLException {
    if (v == null || v.isNull()) {
      ps.setObject(i, null);
      return;
    }
    switch (kind) {
      case "bytes" -> ps.setBytes(i, Base64.getDecoder().decode(v.asText()));
      case "instant" -> ps.setObject(i, Instant.parse(v.asText()).atOffset(ZoneOffset.UTC));
      case "number" -> ps.setBigDecimal(i, new BigDecimal(v.asText()));
      case "integer" -> ps.setLong(i, v.asLong());
      case "boolean" -> ps.setBoolean(i, v.asBoolean());
      default -> ps.setString(i, v.asText());
    }
  }

  private static void expect(JsonParser p, JsonToken token) throws IOException {
    JsonToken t = p.currentToken() == token ? token : p.nextToken();
    if (t != token) {
      throw new IOException(
          "not an Estuary database dump: expected "
              + token
              + " at "
              + p.currentLocation()
              + ", found "
              + t);
    }
  }

  /** The audit chain's head: one row in every migrated database (V5), even an empty one. */
  private static final String AUDIT_HEAD = "audit_head";

  /**
   * The change feed's counters (V9): not data but this database's own notice board for the replicas
   * using it, seeded by the migration; neither dumped nor loaded (a restored database starts its
   * own, and the replicas started on it have empty caches).
   */
  private static final String CHANGE_COUNTER = "change_counter";

  /**
   * Estuary's tables in the connection's schema (the data: not Flyway's history, not the change
   * feed's counters), each after the tables it refers to.
   */
  static List<String> tables(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String schema = c.getSchema();
    Set<String> all = new LinkedHashSet<>();
    try (ResultSet rs = md.getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME");
        if (!name.equalsIgnoreCase(HISTORY) && !name.equalsIgnoreCase(CHANGE_COUNTER)) {
          all.add(name);
        }
      }
    }
    Map<String, Set<String>> parents = new LinkedHashMap<>();
    for (String t : all.stream().sorted().toList()) {
      Set<String> ps = new LinkedHashSet<>();
      try (ResultSet rs = md.getImportedKeys(null, schema, t)) {
        while (rs.next()) {
          String parent = rs.getString("PKTABLE_NAME");
          if (!parent.equals(t)) {
            ps.add(parent);
          }
        }
      }
      parents.put(t, ps);
    }
    List<String> ordered = new ArrayList<>();
    while (ordered.size() < parents.size()) {
      boolean progress = false;
      for (var e : parents.entrySet()) {
        if (!ordered.contains(e.getKey()) && ordered.containsAll(e.getValue())) {
          ordered.add(e.getKey());
          progress = true;
        }
      }
      if (!progress) {
        throw new SQLException("the tables' foreign keys form a cycle: " + parents);
      }
    }
    return ordered.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
  }
}
