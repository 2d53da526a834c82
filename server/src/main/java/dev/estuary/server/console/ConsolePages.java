package dev.estuary.server.console;

import dev.estuary.server.app.CaCertificateService;
import dev.estuary.server.app.CertificateService;
import dev.estuary.server.app.ConsoleUserService;
import dev.estuary.server.app.CredentialService;
import dev.estuary.server.app.EnrollmentService;
import dev.estuary.server.app.Permission;
import dev.estuary.server.audit.AuditLog;
import dev.estuary.server.auth.Actor;
import dev.estuary.server.config.ServerConfig;
import dev.estuary.server.policy.Label;
import dev.estuary.server.policy.LiveLabels;
import dev.estuary.server.revocation.CrlPublisher;
import dev.estuary.server.revocation.RevocationService;
import java.time.Duration;
import java.util.Map;

/**
 * Every console page, each a few lines that read the request, call a service with the session's
 * actor and render the answer. The services check the roles and write the audit records; a page
 * shows an action's button only when {@link #may} says the role allows it (and the service refuses
 * it anyway, 403, when it does not).
 *
 * @param statisticsMaxAge the overview's figures are computed again when older than this
 */
public record ConsolePages(
    CertificateService certificates,
    RevocationService revocation,
    CredentialService credentials,
    EnrollmentService enrollments,
    CaCertificateService caCertificates,
    ConsoleUserService users,
    AuditLog audit,
    LiveLabels liveLabels,
    CrlPublisher crls,
    ServerConfig.Revocation publication,
    Duration statisticsMaxAge) {

  /** True when {@code actor}'s role allows {@code p} (to show or hide its button). */
  static boolean may(Actor actor, Permission p) {
    return actor.role().includes(p.least());
  }

  /** The labels in force now (a CA rollover replaces them without a restart). */
  Map<String, Label> labels() {
    return liveLabels.now();
  }

  void addTo(ConsoleRoutes routes) {
    new OverviewPage(this).addTo(routes);
    new CertificatePages(this).addTo(routes);
    new DevicePages(this).addTo(routes);
    new ProvisioningPages(this).addTo(routes);
    new CredentialPages(this).addTo(routes);
    new CaPages(this).addTo(routes);
    new AuditPages(this).addTo(routes);
  }
}
