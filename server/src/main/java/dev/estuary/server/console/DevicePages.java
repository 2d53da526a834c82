package dev.estuary.server.console;

import dev.estuary.pki.Certificates;
import dev.estuary.server.app.NotPermitted;
import dev.estuary.server.app.Permission;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.store.RegistrationRecord;
import dev.estuary.server.store.RevocationStore;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Devices and their registrations: registration id, hub, last registration, current certificate; a
 * device's page with its certificates, and disable / enable (refused renewals and registrations).
 */
final class DevicePages {
  static final int PAGE = 100;
  static final Pattern REGISTRATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final ConsolePages pages;

  DevicePages(ConsolePages pages) {
    this.pages = pages;
  }

  void addTo(ConsoleRoutes routes) {
    routes
        .get("/console/devices", this::list)
        .get("/console/devices/{id}", this::device)
        .post("/console/devices/{id}/disable", this::disable)
        .post("/console/devices/{id}/enable", this::enable);
  }

  private Reply list(Call c) throws NotPermitted {
    List<RegistrationRecord> rows =
        pages.enrollments().registrations(c.actor(), c.q("after"), PAGE + 1);
    Html h = new Html();
    h.open(
            "form",
            "method",
            "get",
            "action",
            "/console/devices/find",
            "class",
            "search",
            "role",
            "search")
        .el("label", "Registration id", "for", "id")
        .empty("input", "id", "id", "name", "id", "required", "")
        .raw("<button type=\"submit\">Open</button></form>");
    h.raw(
            "<table id=\"devices\"><thead><tr><th scope=\"col\">Registration id</th><th scope=\"col\">Hub</th>")
        .raw(
            "<th scope=\"col\">Device id</th><th scope=\"col\">Enrollment</th><th scope=\"col\">Last registration</th>")
        .raw("<th scope=\"col\">Current certificate</th></tr></thead><tbody>");
    for (RegistrationRecord r : rows.subList(0, Math.min(PAGE, rows.size()))) {
      h.raw("<tr>")
          .open("td")
          .a("/console/devices/" + Form.encode(r.registrationId()), r.registrationId())
          .close("td")
          .el("td", r.assignedHub())
          .el("td", r.deviceId())
          .el("td", r.enrollmentKind().wire() + " " + r.enrollmentId())
          .el("td", Layout.time(r.lastUpdatedAt()))
          .open("td");
      certificateLink(h, r);
      h.close("td").raw("</tr>");
    }
    if (rows.isEmpty()) {
      h.raw("<tr><td colspan=\"6\">No device has registered yet.</td></tr>");
    }
    h.raw("</tbody></table>");
    if (rows.size() > PAGE) {
      h.open("p")
          .el(
              "a",
              "Next " + PAGE + " →",
              "href",
              "/console/devices?after=" + Form.encode(rows.get(PAGE - 1).registrationId()),
              "rel",
              "next")
          .close("p");
    }
    return new Reply.Page("Devices and registrations", "devices", h);
  }

  private static void certificateLink(Html h, RegistrationRecord r) {
    try {
      BigInteger serial = Certificates.decode(r.certificateDer()).getSerialNumber();
      h.a("/console/certificates/" + serial.toString(16), serial.toString(16));
    } catch (RuntimeException e) {
      h.text("sha256 " + r.certificateSha256());
    }
  }

  private static String id(Call c) throws ConsoleRefusal {
    String id = c.param("id");
    if (id.equals("find") && c.q("id") != null) {
      id = c.q("id");
    }
    if (!REGISTRATION_ID.matcher(id).matches()) {
      throw ConsoleRefusal.badRequest(
          "'" + id + "' is not a registration id (1-128 letters, digits, '.', '_', ':' or '-').");
    }
    return id;
  }

  private Reply device(Call c) throws NotPermitted, ConsoleRefusal {
    String id = id(c);
    Optional<RegistrationRecord> reg = pages.enrollments().findRegistration(c.actor(), id);
    Optional<RevocationStore.DisabledDevice> disabled = pages.revocation().disabled(c.actor(), id);
    List<CertificateRecord> certs = pages.certificates().findBySubject(c.actor(), "CN=" + id, 20);
    Html h = new Html();
    h.raw("<dl class=\"fields\">");
    CertificatePages.dt(h, "State", disabled.isPresent() ? "disabled" : "enabled", "device-state");
    disabled.ifPresent(
        d -> {
          CertificatePages.dt(h, "Disabled at", Layout.time(d.disabledAt()), null);
          CertificatePages.dt(h, "Note", d.note(), null);
        });
    if (reg.isPresent()) {
      RegistrationRecord r = reg.get();
      CertificatePages.dt(h, "Hub", r.assignedHub(), null);
      CertificatePages.dt(h, "Device id", r.deviceId(), null);
      CertificatePages.dt(
          h, "Enrollment", r.enrollmentKind().wire() + " " + r.enrollmentId(), null);
      CertificatePages.dt(h, "Substatus", r.substatus(), null);
      CertificatePages.dt(h, "First registration", Layout.time(r.createdAt()), null);
      CertificatePages.dt(h, "Last registration", Layout.time(r.lastUpdatedAt()), null);
      h.el("dt", "Current certificate").open("dd");
      certificateLink(h, r);
      h.close("dd");
    } else {
      CertificatePages.dt(
          h, "Registration", "none (the device has not registered through provisioning)", null);
    }
    h.raw("</dl>");
    if (ConsolePages.may(c.actor(), Permission.DISABLE_DEVICES)) {
      String base = "/console/devices/" + Form.encode(id);
      if (disabled.isPresent()) {
        h.open("form", "method", "post", "action", base + "/enable");
        Layout.csrf(h, c.session());
        h.raw("<button type=\"submit\" id=\"enable\">Enable the device</button></form>");
      } else {
        h.open("form", "method", "post", "action", base + "/disable");
        Layout.csrf(h, c.session());
        h.raw("<label for=\"note\">Note (why)</label>");
        h.empty("input", "id", "note", "name", "note", "maxlength", "1024");
        h.raw(
            "<button type=\"submit\" id=\"disable\" class=\"danger\">Disable the device</button></form>");
      }
    }
    h.raw("<h2>Certificates with subject CN=").text(id).raw("</h2>");
    h.raw(
        "<table><thead><tr><th scope=\"col\">Serial</th><th scope=\"col\">Label</th><th scope=\"col\">Not after</th><th scope=\"col\">Status</th></tr></thead><tbody>");
    for (CertificateRecord r : certs) {
      h.raw("<tr>")
          .open("td")
          .a("/console/certificates/" + r.serial().toString(16), r.serial().toString(16))
          .close("td")
          .el("td", r.label())
          .el("td", Layout.time(r.notAfter()))
          .el("td", CertificatePages.status(r, c.now()))
          .raw("</tr>");
    }
    h.raw("</tbody></table>");
    return new Reply.Page("Device " + id, "devices", h);
  }

  private Reply disable(Call c) throws NotPermitted, ConsoleRefusal {
    String id = id(c);
    String note = c.f("note");
    if (note != null && note.length() > 1024) {
      throw ConsoleRefusal.badRequest("The note is longer than 1024 characters.");
    }
    pages.revocation().disable(c.actor(), id, note);
    return new Reply.Redirect("/console/devices/" + Form.encode(id));
  }

  private Reply enable(Call c) throws NotPermitted, ConsoleRefusal {
    String id = id(c);
    pages.revocation().enable(c.actor(), id);
    return new Reply.Redirect("/console/devices/" + Form.encode(id));
  }
}
