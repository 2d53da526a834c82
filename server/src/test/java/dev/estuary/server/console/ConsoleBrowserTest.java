package dev.estuary.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.estuary.server.store.CertificateRecord;
import dev.estuary.server.testing.EstEnrollment;
import dev.estuary.server.testing.QuickstartServer;
import dev.estuary.server.testing.TestPki;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (issue 13): Debian's headless Chromium, driven through Debian's
 * chromedriver by Selenium (explicit paths: never Selenium Manager, never a downloaded browser),
 * against a real quickstart server on loopback with real TLS. Chromium accepts the admin port's
 * certificate by its key (--ignore-certificate-errors-spki-list), so the page is https and the
 * Secure cookie is really set and sent.
 *
 * <p>Screenshots of the overview, a certificate page and the audit log go to
 * target/console-screenshots/ (docs/images/console-*.png are copies).
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration IDLE = Duration.ofSeconds(8);
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path SCREENSHOTS = Path.of("target/console-screenshots");

  @TempDir static Path tmp;
  static QuickstartServer server;
  static ChromeDriver browser;
  static String base;
  static HttpClient http;
  static String operatorPassword;
  static String auditorPassword;
  static String suffix = Long.toString(System.nanoTime(), 36);

  @BeforeAll
  static void start() throws Exception {
    assertThat(CHROMIUM)
        .as("Debian's chromium (./estuary test installs it: apt-get install chromium)")
        .isExecutable();
    assertThat(CHROMEDRIVER)
        .as("Debian's chromedriver (./estuary test installs it: apt-get install chromium-driver)")
        .isExecutable();
    server =
        QuickstartServer.start(
            tmp.resolve("data"),
            t ->
                t
                    + "\n[console]\nidle_timeout = \""
                    + IDLE.toSeconds()
                    + "s\"\nstatistics_max_age = \"1s\"\n");
    base = server.adminUrl() + "/console/";
    http =
        HttpClient.newBuilder()
            .sslContext(TestPki.tls(server.root(), null, null))
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    operatorPassword = "operator-" + suffix + "-pw";
    auditorPassword = "auditor-" + suffix + "-pw";
    assertThat(
            admin(
                    "POST",
                    "/api/v1/console-users",
                    "{\"username\":\"olivia\",\"role\":\"operator\",\"password\":\""
                        + operatorPassword
                        + "\"}")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            admin(
                    "POST",
                    "/api/v1/console-users",
                    "{\"username\":\"audrey\",\"role\":\"auditor\",\"password\":\""
                        + auditorPassword
                        + "\"}")
                .statusCode())
        .isEqualTo(200);

    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1100",
        "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")),
        "--ignore-certificate-errors-spki-list=" + spkiHash());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(tmp.resolve("chromedriver.log").toFile())
            .build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Base64 of the SHA-256 of the admin port's certificate's SubjectPublicKeyInfo. */
  static String spkiHash() throws Exception {
    URI u = URI.create(server.adminUrl());
    try (SSLSocket s =
        (SSLSocket)
            TestPki.tls(server.root(), null, null)
                .getSocketFactory()
                .createSocket("127.0.0.1", u.getPort())) {
      s.startHandshake();
      X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
      return Base64.getEncoder()
          .encodeToString(
              MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
    }
  }

  static HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.adminUrl() + path))
            .header("Authorization", "Bearer " + server.adminToken())
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A POST to a console path with {@code cookie} (a session id) and the form {@code form}. */
  static HttpResponse<String> post(String path, String cookie, String form) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.adminUrl() + path))
            .header("Cookie", ConsoleHandler.COOKIE + "=" + cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path, String cookie) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.adminUrl() + path))
            .header("Cookie", ConsoleHandler.COOKIE + "=" + cookie)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void login(String user, String password) {
    browser.manage().deleteAllCookies();
    browser.get(base + "login");
    browser.findElement(By.id("username")).sendKeys(user);
    browser.findElement(By.id("password")).sendKeys(password);
    go(By.id("login"));
    assertThat(browser.findElements(By.id("who")))
        .as("logged in as %s: %s", user, browser.getPageSource())
        .singleElement()
        .satisfies(w -> assertThat(w.getText()).isEqualTo("console:" + user));
  }

  /** Clicks what navigates, and waits until the next page replaced this one. */
  static void go(By what) {
    go(browser.findElement(what));
  }

  static void go(WebElement what) {
    WebElement html = browser.findElement(By.tagName("html"));
    what.click();
    // the old page's root is gone (Chromium may say so as "stale" or as "not in the document")
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(
            d -> {
              try {
                html.isEnabled();
                return false;
              } catch (WebDriverException e) {
                return true;
              }
            });
  }

  static void logout() {
    go(By.id("logout"));
    assertThat(browser.getCurrentUrl()).endsWith("/console/login?out=1");
  }

  static String csrfOnPage() {
    return browser
        .findElement(By.cssSelector("form[action='/console/logout'] input[name=csrf]"))
        .getAttribute("value");
  }

  static String sessionCookie() {
    return browser.manage().getCookieNamed(ConsoleHandler.COOKIE).getValue();
  }

  static void screenshot(String name) throws Exception {
    Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(
        shot, SCREENSHOTS.resolve("console-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  static CertificateRecord record(String label, Instant notAfter) {
    SecureRandom r = new SecureRandom();
    byte[] sha = new byte[32];
    r.nextBytes(sha);
    byte[] der = new byte[64];
    r.nextBytes(der);
    Instant now = Instant.now();
    return new CertificateRecord(
        new BigInteger(120, r).setBit(120),
        "CN=chart-" + HexFormat.of().formatHex(sha, 0, 6),
        "CN=Synthetic chart test CA",
        now,
        notAfter,
        label,
        "EC P-256",
        HexFormat.of().formatHex(sha),
        "mtls",
        "chart-test",
        now,
        der,
        null,
        null,
        null);
  }

  /** The expiry chart as the page draws it: date to total. */
  static Map<LocalDate, Long> bars() {
    Map<LocalDate, Long> out = new LinkedHashMap<>();
    for (WebElement g : browser.findElements(By.cssSelector("#expiry-chart g.bar"))) {
      out.put(
          LocalDate.parse(g.getAttribute("data-day")),
          Long.parseLong(g.getAttribute("data-total")));
    }
    return out;
  }

  @Test
  @Order(1)
  void theOverviewsExpiryChartShowsTheKnownDataSetsTotalsPerDayStacked() throws Exception {
    login("olivia", operatorPassword);
    // the first view waits for the figures at most OverviewPage.FIRST_WAIT, then says they are
    // being computed: a cold server may take longer
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              if (bars().isEmpty()) {
                assertThat(browser.findElement(By.id("figures-pending")).getText())
                    .contains("being computed");
                browser.navigate().refresh();
              }
              assertThat(bars()).hasSize(30);
            });
    Map<LocalDate, Long> before = bars();
    LocalDate first = before.keySet().iterator().next();
    // The known data set: per (label, day) a number of valid certificates expiring that day.
    Map<String, int[]> known =
        Map.of("device-id", new int[] {3, 0, 4}, "idevid", new int[] {2, 5, 0});
    int[] days = {3, 12, 27};
    Map<LocalDate, Long> added = new LinkedHashMap<>();
    for (var e : known.entrySet()) {
      for (int i = 0; i < days.length; i++) {
        Instant noon = first.plusDays(days[i]).atTime(12, 0).toInstant(ZoneOffset.UTC);
        for (int n = 0; n < e.getValue()[i]; n++) {
          server.server().certificates().record(record(e.getKey(), noon), null);
          added.merge(first.plusDays(days[i]), 1L, Long::sum);
        }
      }
    }
    // one more that is revoked and one already expired: neither is on the chart
    CertificateRecord revoked =
        record("device-id", first.plusDays(5).atTime(12, 0).toInstant(ZoneOffset.UTC));
    server.server().certificates().record(revoked, null);
    server.server().certificates().revoke(revoked.serial(), "keyCompromise", Instant.now());
    server
        .server()
        .certificates()
        .record(record("device-id", Instant.now().minusSeconds(60)), null);

    // statistics_max_age = 1s: a view past it starts a computation in the background, so the
    // figures that include the known data set appear within a few views
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(1500))
        .untilAsserted(
            () -> {
              browser.navigate().refresh();
              Map<LocalDate, Long> after = bars();
              assertThat(after.keySet()).isEqualTo(before.keySet());
              for (LocalDate d : after.keySet()) {
                assertThat(after.get(d))
                    .as("certificates expiring on %s", d)
                    .isEqualTo(before.get(d) + added.getOrDefault(d, 0L));
              }
            });
    // stacked: the day-12 bar has an idevid part of 5 and no device-id part added
    WebElement day12 =
        browser.findElement(
            By.cssSelector("#expiry-chart g.bar[data-day='" + first.plusDays(12) + "']"));
    assertThat(day12.findElements(By.cssSelector("rect[data-label='idevid']")))
        .singleElement()
        .satisfies(
            r ->
                assertThat(Long.parseLong(r.getAttribute("data-count"))).isGreaterThanOrEqualTo(5));
    screenshot("overview");
    logout();
  }

  @Test
  @Order(2)
  void anOperatorFindsACertificateBySubjectRevokesItWithConfirmationAndSeesItRevokedAndAudited()
      throws Exception {
    X509Certificate leaf = EstEnrollment.idevid(server, "console-victim-" + suffix).leaf();
    String hex = leaf.getSerialNumber().toString(16);
    String subject =
        server.server().certificates().findBySerial(leaf.getSerialNumber()).orElseThrow().subject();

    login("olivia", operatorPassword);
    Cookie cookie = browser.manage().getCookieNamed(ConsoleHandler.COOKIE);
    assertThat(cookie.isSecure()).as("Secure").isTrue();
    assertThat(cookie.isHttpOnly()).as("HttpOnly").isTrue();
    assertThat(cookie.getSameSite()).isEqualTo("Strict");
    assertThat(cookie.getPath()).isEqualTo("/console/");
    assertThat(browser.getCurrentUrl()).startsWith("https://");

    go(By.linkText("Certificates"));
    browser.findElement(By.id("subject")).sendKeys(subject);
    go(By.id("search"));
    List<WebElement> rows = browser.findElements(By.cssSelector("#certificates tbody tr"));
    assertThat(rows).hasSize(1);
    assertThat(rows.getFirst().getText()).contains(hex).contains("valid");
    go(rows.getFirst().findElement(By.linkText(subject)));
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("valid");
    assertThat(browser.findElement(By.id("serial")).getText()).isEqualTo(hex);
    assertThat(browser.findElements(By.cssSelector("#chain li"))).hasSizeGreaterThanOrEqualTo(2);
    screenshot("certificate");

    go(By.id("revoke"));
    new Select(browser.findElement(By.id("reason"))).selectByValue("keyCompromise");
    // without the confirmation ticked, the browser does not send the form (required)
    browser.findElement(By.id("revoke-confirm")).click();
    assertThat(browser.getCurrentUrl()).endsWith("/revoke");
    assertThat(
            server
                .server()
                .certificates()
                .findBySerial(leaf.getSerialNumber())
                .orElseThrow()
                .revoked())
        .isFalse();
    browser.findElement(By.id("confirm")).click();
    go(By.id("revoke-confirm"));

    assertThat(browser.getCurrentUrl()).endsWith("/console/certificates/" + hex + "?revoked=1");
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("revoked");
    assertThat(browser.findElement(By.id("reason")).getText()).isEqualTo("keyCompromise");
    assertThat(browser.findElements(By.id("revoke")))
        .as("no revoke button on a revoked certificate")
        .isEmpty();
    assertThat(
            server
                .server()
                .certificates()
                .findBySerial(leaf.getSerialNumber())
                .orElseThrow()
                .revoked())
        .isTrue();

    go(By.linkText("Audit log"));
    browser.findElement(By.id("serial")).sendKeys(hex);
    go(By.id("filter"));
    List<WebElement> audit = browser.findElements(By.cssSelector("#audit tbody tr"));
    assertThat(audit)
        .anySatisfy(
            r ->
                assertThat(r.getText())
                    .contains("certificate.revoked")
                    .contains("console:olivia")
                    .contains("keyCompromise"));
    assertThat(audit).anySatisfy(r -> assertThat(r.getText()).contains("certificate.issued"));
    screenshot("audit");
    go(By.id("verify"));
    assertThat(browser.findElement(By.id("chain-result")).getText())
        .startsWith("The chain is intact");
    logout();
  }

  @Test
  @Order(3)
  void anAuditorSeesNoRevokeButtonAndAForgedPostIsRefused403ByTheService() throws Exception {
    X509Certificate leaf = EstEnrollment.idevid(server, "console-auditor-" + suffix).leaf();
    String hex = leaf.getSerialNumber().toString(16);
    login("audrey", auditorPassword);
    assertThat(browser.findElement(By.id("role")).getText()).isEqualTo("auditor");
    browser.get(base + "certificates/" + hex);
    assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("valid");
    assertThat(browser.findElements(By.id("revoke"))).isEmpty();

    // the session and its CSRF token are genuine: only the role is missing
    HttpResponse<String> forged =
        post(
            "/console/certificates/" + hex + "/revoke",
            sessionCookie(),
            "csrf=" + csrfOnPage() + "&reason=keyCompromise&confirm=yes");
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.body()).contains("the auditor role may not revoke certificates");
    assertThat(
            server
                .server()
                .certificates()
                .findBySerial(leaf.getSerialNumber())
                .orElseThrow()
                .revoked())
        .isFalse();
    // the confirmation page itself is refused too
    browser.get(base + "certificates/" + hex + "/revoke");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not permitted");
    logout();
  }

  @Test
  @Order(4)
  void aPostWithoutTheCsrfTokenIsRefusedAndChangesNothing() throws Exception {
    X509Certificate leaf = EstEnrollment.idevid(server, "console-csrf-" + suffix).leaf();
    String hex = leaf.getSerialNumber().toString(16);
    login("olivia", operatorPassword);
    String cookie = sessionCookie();
    HttpResponse<String> none =
        post(
            "/console/certificates/" + hex + "/revoke", cookie, "reason=keyCompromise&confirm=yes");
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(none.body()).contains("CSRF token is missing or wrong");
    HttpResponse<String> wrong =
        post(
            "/console/certificates/" + hex + "/revoke",
            cookie,
            "csrf=" + "A".repeat(43) + "&reason=keyCompromise&confirm=yes");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(
            server
                .server()
                .certificates()
                .findBySerial(leaf.getSerialNumber())
                .orElseThrow()
                .revoked())
        .isFalse();
    // the same form with the session's token is taken (so the refusal was the token's)
    HttpResponse<String> right =
        post(
            "/console/certificates/" + hex + "/revoke",
            cookie,
            "csrf=" + csrfOnPage() + "&reason=superseded&confirm=yes");
    assertThat(right.statusCode()).isEqualTo(303);
    assertThat(
            server
                .server()
                .certificates()
                .findBySerial(leaf.getSerialNumber())
                .orElseThrow()
                .revoked())
        .isTrue();
    logout();
  }

  @Test
  @Order(5)
  void logoutEndsTheSessionOnTheServer() throws Exception {
    login("olivia", operatorPassword);
    String cookie = sessionCookie();
    assertThat(get("/console/", cookie).statusCode()).isEqualTo(200);
    logout();
    HttpResponse<String> after = get("/console/", cookie);
    assertThat(after.statusCode()).isEqualTo(303);
    assertThat(after.headers().firstValue("Location")).hasValue("/console/login?expired=1");
    browser.get(base);
    assertThat(browser.getCurrentUrl()).contains("/console/login");
  }

  @Test
  @Order(6)
  void anIdleSessionEndsAfterTheConfiguredTimeoutAndTheLogoutIsAudited() throws Exception {
    login("audrey", auditorPassword);
    String cookie = sessionCookie();
    browser.get(base + "cas");
    assertThat(browser.findElement(By.tagName("h1")).getText())
        .isEqualTo("Certificate authorities");
    Thread.sleep(IDLE.plusMillis(1500).toMillis());
    browser.get(base + "cas");
    assertThat(browser.getCurrentUrl()).endsWith("/console/login?expired=1");
    assertThat(browser.findElement(By.cssSelector("p.note")).getText()).contains("session ended");
    assertThat(get("/console/", cookie).statusCode()).isEqualTo(303);
    JsonNode records =
        JSON.readTree(
                admin("GET", "/api/v1/audit?event=console.logout&actor=console:audrey", null)
                    .body())
            .get("records");
    assertThat(records).anySatisfy(r -> assertThat(r.get("details").toString()).contains("idle"));
  }

  @Test
  @Order(7)
  void loginsAreAuditedAndAWrongPasswordIsRefused() throws Exception {
    browser.manage().deleteAllCookies();
    browser.get(base + "login");
    browser.findElement(By.id("username")).sendKeys("olivia");
    browser.findElement(By.id("password")).sendKeys("not-the-password");
    go(By.id("login"));
    assertThat(browser.findElement(By.cssSelector("p.error")).getText())
        .isEqualTo("Wrong user name or password.");
    assertThat(browser.manage().getCookieNamed(ConsoleHandler.COOKIE)).isNull();
    JsonNode logins =
        JSON.readTree(
                admin("GET", "/api/v1/audit?event=console.login&actor=console:olivia", null).body())
            .get("records");
    assertThat(logins).isNotEmpty();
    assertThat(logins.get(0).get("details").toString()).contains("password").contains("operator");
    // the admin token logs in too, as its actor
    browser.get(base + "login");
    browser.findElement(By.id("token")).sendKeys(server.adminToken());
    go(By.id("token-submit"));
    assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("token:config");
    assertThat(browser.findElement(By.id("role")).getText()).isEqualTo("admin");
    logout();
  }
}
