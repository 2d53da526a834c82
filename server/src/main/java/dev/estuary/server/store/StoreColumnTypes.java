package dev.estuary.server.store;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;

/**
 * How the store's Java types meet its SQL columns, the same on H2 and PostgreSQL.
 *
 * <ul>
 *   <li>{@link Instant} is a {@code TIMESTAMP WITH TIME ZONE}, bound and read as a UTC {@link
 *       OffsetDateTime} (never through {@link java.sql.Timestamp}, which goes through the JVM's
 *       default time zone), truncated to the microsecond both engines keep.
 *   <li>{@link BigInteger} is a {@code NUMERIC}.
 * </ul>
 */
final class StoreColumnTypes {

  private StoreColumnTypes() {}

  static void register(Jdbi jdbi) {
    jdbi.registerArgument(new InstantArgumentFactory());
    jdbi.registerArgument(new BigIntegerArgumentFactory());
    jdbi.registerColumnMapper(
        Instant.class, (rs, column, ctx) -> toInstant(rs.getObject(column, OffsetDateTime.class)));
    jdbi.registerColumnMapper(
        BigInteger.class, (rs, column, ctx) -> toBigInteger(rs.getBigDecimal(column)));
  }

  /** The instant as it is stored: UTC, to the microsecond. */
  static OffsetDateTime toSql(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
  }

  static Instant toInstant(OffsetDateTime value) {
    return value == null ? null : value.toInstant();
  }

  /** Reads a {@code TIMESTAMP WITH TIME ZONE} column; null stays null. */
  static Instant instant(ResultSet rs, String column) throws SQLException {
    return toInstant(rs.getObject(column, OffsetDateTime.class));
  }

  static BigInteger toBigInteger(BigDecimal value) {
    return value == null ? null : value.toBigIntegerExact();
  }

  private static final class InstantArgumentFactory extends AbstractArgumentFactory<Instant> {
    InstantArgumentFactory() {
      super(Types.TIMESTAMP_WITH_TIMEZONE);
    }

    @Override
    protected Argument build(Instant value, ConfigRegistry config) {
      OffsetDateTime sql = toSql(value);
      return (position, statement, ctx) ->
          statement.setObject(position, sql, Types.TIMESTAMP_WITH_TIMEZONE);
    }
  }

  private static final class BigIntegerArgumentFactory extends AbstractArgumentFactory<BigInteger> {
    BigIntegerArgumentFactory() {
      super(Types.NUMERIC);
    }

    @Override
    protected Argument build(BigInteger value, ConfigRegistry config) {
      BigDecimal sql = new BigDecimal(value);
      return (position, statement, ctx) -> statement.setBigDecimal(position, sql);
    }
  }
}
