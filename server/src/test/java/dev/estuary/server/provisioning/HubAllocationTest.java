package dev.estuary.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.estuary.server.store.EnrollmentRecord;
import dev.estuary.server.store.EnrollmentRecord.Allocation;
import dev.estuary.server.store.HubRecord;
import dev.estuary.server.store.RegistrationRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HubAllocationTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final List<HubRecord> AB = List.of(new HubRecord("a.hub", 1), new HubRecord("b.hub", 1));

  static EnrollmentRecord enrollment(
      Allocation allocation, List<String> hubs, boolean updateHub, boolean migrate) {
    return new EnrollmentRecord(
        EnrollmentRecord.Kind.GROUP,
        "g",
        "ca",
        null,
        true,
        true,
        allocation,
        hubs,
        null,
        updateHub,
        migrate,
        null,
        "e",
        T0,
        T0);
  }

  static RegistrationRecord prior(String hub) {
    return new RegistrationRecord(
        "dev",
        EnrollmentRecord.Kind.GROUP,
        "g",
        "dev",
        hub,
        "initialAssignment",
        new byte[0],
        "s",
        "e",
        T0,
        T0);
  }

  static String hashed(List<HubRecord> hubs, String id) throws ProvisioningRefusal {
    return HubAllocation.decide(
            enrollment(Allocation.HASHED, List.of(), true, true), hubs, null, Map.of(), id, null)
        .hub();
  }

  @Test
  void hashedAllocationMovesOnlyToAnAddedHub() throws ProvisioningRefusal {
    List<HubRecord> abc =
        List.of(new HubRecord("a.hub", 1), new HubRecord("b.hub", 1), new HubRecord("c.hub", 1));
    int moved = 0;
    for (int i = 0; i < 3000; i++) {
      String id = "device-" + i;
      String before = hashed(AB, id);
      String after = hashed(abc, id);
      if (!after.equals(before)) {
        assertThat(after).as("%s moved from %s", id, before).isEqualTo("c.hub");
        moved++;
      }
    }
    assertThat(moved).as("about a third move to the new hub").isBetween(800, 1200);
  }

  @Test
  void hashedAllocationIsTheSameOnEveryCallAndFollowsTheWeights() throws ProvisioningRefusal {
    List<HubRecord> weighted = List.of(new HubRecord("a.hub", 3), new HubRecord("b.hub", 1));
    Map<String, Long> counts =
        IntStream.range(0, 4000)
            .mapToObj(i -> "device-" + i)
            .map(
                id -> {
                  try {
                    String hub = hashed(weighted, id);
                    assertThat(hashed(weighted, id)).isEqualTo(hub);
                    return hub;
                  } catch (ProvisioningRefusal e) {
                    throw new AssertionError(e);
                  }
                })
            .collect(Collectors.groupingBy(h -> h, Collectors.counting()));
    assertThat(counts.get("a.hub")).as("weight 3 of 4").isBetween(2800L, 3200L);
  }

  @Test
  void staticAllocationTakesTheNamedHub() throws ProvisioningRefusal {
    var a =
        HubAllocation.decide(
            enrollment(Allocation.STATIC, List.of("b.hub"), true, true),
            AB,
            null,
            Map.of(),
            "dev",
            null);
    assertThat(a).isEqualTo(new HubAllocation.Assignment("b.hub", "initialAssignment"));
  }

  @Test
  void evenlyWeightedAllocationFillsTheEmptiestHubAndKeepsARegisteredDevicesHub()
      throws ProvisioningRefusal {
    Map<String, Long> counts = new HashMap<>(Map.of("a.hub", 5L, "b.hub", 2L));
    EnrollmentRecord evenly = enrollment(Allocation.EVENLY_WEIGHTED, List.of(), true, true);
    assertThat(HubAllocation.decide(evenly, AB, null, counts, "new", null).hub())
        .isEqualTo("b.hub");
    assertThat(HubAllocation.decide(evenly, AB, prior("a.hub"), counts, "dev", null).hub())
        .isEqualTo("a.hub");
  }

  @Test
  void theSubstatusSaysHowAReRegistrationRelatesToTheLastOne() throws ProvisioningRefusal {
    EnrollmentRecord toB = enrollment(Allocation.STATIC, List.of("b.hub"), true, true);
    assertThat(
            HubAllocation.decide(toB, AB, prior("b.hub"), Map.of(), "dev", "2021-10-01")
                .substatus())
        .isEqualTo("reprovisionedToInitialAssignment");
    assertThat(
            HubAllocation.decide(toB, AB, prior("b.hub"), Map.of(), "dev", "2019-03-31")
                .substatus())
        .isEqualTo("initialAssignment");
    assertThat(HubAllocation.decide(toB, AB, prior("a.hub"), Map.of(), "dev", "2021-10-01"))
        .isEqualTo(new HubAllocation.Assignment("b.hub", "deviceDataMigrated"));
    EnrollmentRecord resetToB = enrollment(Allocation.STATIC, List.of("b.hub"), true, false);
    assertThat(
            HubAllocation.decide(resetToB, AB, prior("a.hub"), Map.of(), "dev", null).substatus())
        .isEqualTo("deviceDataReset");
  }

  @Test
  void withoutUpdateHubAssignmentAReRegistrationKeepsItsHub() throws ProvisioningRefusal {
    EnrollmentRecord toB = enrollment(Allocation.STATIC, List.of("b.hub"), false, true);
    assertThat(HubAllocation.decide(toB, AB, prior("a.hub"), Map.of(), "dev", "2021-10-01"))
        .isEqualTo(new HubAllocation.Assignment("a.hub", "reprovisionedToInitialAssignment"));
  }

  @Test
  void noLinkedHubIsARefusal() {
    EnrollmentRecord named = enrollment(Allocation.HASHED, List.of("gone.hub"), true, true);
    assertThatThrownBy(() -> HubAllocation.decide(named, AB, null, Map.of(), "dev", null))
        .isInstanceOfSatisfying(
            ProvisioningRefusal.class, r -> assertThat(r.error()).isEqualTo(ErrorCode.NO_HUB))
        .hasMessageContaining("gone.hub");
  }
}
