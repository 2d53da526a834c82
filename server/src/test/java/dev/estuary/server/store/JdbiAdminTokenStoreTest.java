package dev.estuary.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.statement.StatementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Admin API tokens (V6__admin_tokens.sql) on H2 and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class JdbiAdminTokenStoreTest extends BackendTestCase {
  static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

  private AdminTokenStore store;

  @BeforeEach
  void createStore() {
    store = new JdbiAdminTokenStore(db.jdbi());
  }

  static AdminTokenRecord token(String id, String role, Instant expires) {
    return new AdminTokenRecord(
        id,
        "name of " + id,
        role,
        "pbkdf2-sha256$1$c2FsdA$aGFzaA",
        T0,
        "token:config",
        expires,
        null);
  }

  @Test
  void aTokenIsFoundListedAndRevokedOnceKeepingItsRow() {
    AdminTokenRecord a = token("aaaaaaaaaa", "auditor", T0.plus(90, ChronoUnit.DAYS));
    AdminTokenRecord b = token("bbbbbbbbbb", "admin", null);
    store.create(a);
    store.create(b);

    assertThat(store.find("aaaaaaaaaa")).contains(a);
    assertThat(store.find("cccccccccc")).isEmpty();
    assertThat(store.list())
        .extracting(AdminTokenRecord::id)
        .containsExactly("aaaaaaaaaa", "bbbbbbbbbb");

    Instant first = T0.plusSeconds(60);
    assertThat(store.revoke("bbbbbbbbbb", first, "token:test")).isTrue();
    assertThat(store.revoke("bbbbbbbbbb", first.plusSeconds(60), "token:test"))
        .as("again: found")
        .isTrue();
    assertThat(store.revoke("cccccccccc", first, "token:test")).isFalse();

    assertThat(store.find("bbbbbbbbbb").orElseThrow().revokedAt())
        .as("the first revocation time is kept")
        .isEqualTo(first);
    assertThat(store.find("aaaaaaaaaa").orElseThrow().revokedAt()).isNull();
  }

  @Test
  void aDuplicateIdIsRefusedAndAnUnknownRoleIsRefusedByTheSchema() {
    store.create(token("aaaaaaaaaa", "operator", null));

    assertThatThrownBy(() -> store.create(token("aaaaaaaaaa", "admin", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("aaaaaaaaaa");
    assertThatThrownBy(() -> store.create(token("dddddddddd", "root", null)))
        .isInstanceOf(StatementException.class);
    assertThat(store.find("aaaaaaaaaa").orElseThrow().role()).isEqualTo("operator");
  }
}
