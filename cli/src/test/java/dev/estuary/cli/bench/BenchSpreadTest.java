package dev.estuary.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code estuary bench --url A --url B ...} spreads its clients: round-robin, evenly. */
class BenchSpreadTest {
  @Test
  void clientsGoRoundRobinSoEachUrlGetsItsShare() {
    Map<Integer, Integer> perUrl = new HashMap<>();
    for (int client = 0; client < 10; client++) {
      perUrl.merge(BenchCommand.spread(client, 3), 1, Integer::sum);
    }
    assertThat(perUrl).containsOnlyKeys(0, 1, 2);
    assertThat(perUrl.values()).allMatch(n -> n == 3 || n == 4);
    assertThat(BenchCommand.spread(0, 2)).isZero();
    assertThat(BenchCommand.spread(1, 2)).isEqualTo(1);
    assertThat(BenchCommand.spread(2, 2)).isZero();
  }

  @Test
  void oneUrlTakesEveryClient() {
    for (int client = 0; client < 5; client++) {
      assertThat(BenchCommand.spread(client, 1)).isZero();
    }
  }
}
