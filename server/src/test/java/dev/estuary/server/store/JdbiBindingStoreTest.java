package dev.estuary.server.store;

import static dev.estuary.server.store.TestCertificates.T0;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class JdbiBindingStoreTest extends BackendTestCase {
  private BindingStore store;

  @BeforeEach
  void createStore() {
    store = new JdbiBindingStore(db.jdbi());
  }

  @Test
  void theFirstBindingOfANameStaysAndTheSecondGetsItBack() {
    NameBinding first =
        new NameBinding("device-id", "victim", "x509:aaa", "the victim's IDevID", T0);
    NameBinding second =
        new NameBinding("device-id", "victim", "x509:bbb", "an attacker", T0.plusSeconds(1));

    assertThat(store.bind(first)).isEqualTo(first);
    assertThat(store.bind(second)).isEqualTo(first);
    assertThat(store.find("device-id", "victim")).contains(first);
  }

  @Test
  void bindingsArePerLabelAndListedAndReleased() {
    store.bind(new NameBinding("device-id", "a", "x509:aaa", "d", T0));
    store.bind(new NameBinding("edge-ca", "a", "x509:bbb", "d", T0.plusSeconds(1)));

    assertThat(store.findByPrincipal("device-id", "x509:aaa"))
        .extracting(NameBinding::name)
        .containsExactly("a");
    assertThat(store.findByPrincipal("edge-ca", "x509:aaa")).isEmpty();
    assertThat(store.list(null, 10)).hasSize(2);
    assertThat(store.list("edge-ca", 10))
        .extracting(NameBinding::principal)
        .containsExactly("x509:bbb");

    assertThat(store.release("device-id", "a")).isTrue();
    assertThat(store.release("device-id", "a")).isFalse();
    assertThat(store.find("device-id", "a")).isEmpty();
    assertThat(store.find("edge-ca", "a")).isPresent();
  }
}
