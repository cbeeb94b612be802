package dev.batchwise.review;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.LocalKafkaResource;
import dev.batchwise.testing.Simulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review page in Debian's headless Chromium, against the real service, broker, database and simulator: a
 * 200-atom batch run started from the form, its progress bar reaching 100% over the WebSocket in the same document
 * (no reload), then the atoms in quality order with the unparseable ones last and marked, the histogram counting
 * every atom, and a screenshot of the finished run in {@code target/review-page.png}.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class ReviewPageTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ATOMS = 200;

    @TestHTTPResource("/")
    URL page;

    private Simulator simulator;
    private ChromeDriverService service;
    private WebDriver browser;
    private Path profile;

    @BeforeEach
    void startBrowser() throws IOException {
        simulator = Simulator.save();
        // some answers cut short, so that some atoms stay unscored; a batch quick enough for a test
        Simulator.configure(Map.of("brokenRate", 0.1, "batchFixedMs", 1500, "batchPerItemMs", 0, "itemErrorRate", 0,
                "overloadedRate", 0, "neverFinish", false, "failBatches", false));
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are missing: bin/setup installs them");
        // Selenium Manager must never look for (or download) a driver or browser, nor report statistics
        System.setProperty("SE_AVOID_STATS", "true");
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        profile = Files.createTempDirectory("review-page-chromium");
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--window-size=1400,2000", "--user-data-dir=" + profile);
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() throws IOException {
        try {
            if (browser != null) {
                browser.quit();
            }
            if (service != null) {
                service.stop();
            }
            if (profile != null) {
                try (Stream<Path> files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
                }
            }
        } finally {
            simulator.restore();
        }
    }

    @Test
    void aDemoRunStartedFromTheFormFinishesLiveAndListsEveryAtomBestFirst() throws IOException {
        browser.get(page.toString());
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        JavascriptExecutor js = (JavascriptExecutor) browser;
        // a reload would make a new document without this mark
        js.executeScript("window.sameDocument = 'yes'");

        WebElement atoms = browser.findElement(By.id("demo-atoms"));
        atoms.clear();
        atoms.sendKeys(String.valueOf(ATOMS));
        new Select(browser.findElement(By.id("demo-mode"))).selectByValue("batch");
        new Select(browser.findElement(By.id("demo-provider"))).selectByValue("anthropic");
        browser.findElement(By.id("demo-start")).click();
        wait.until(ExpectedConditions.textMatches(By.id("demo-result"), java.util.regex.Pattern.compile("^202 Accepted")));
        String runId = browser.findElement(By.id("detail-run-id")).getText();
        assertTrue(runId.startsWith("demo-"), runId);

        By bar = By.cssSelector("tr[data-run-id='" + runId + "'] [role=progressbar]");
        By status = By.cssSelector("tr[data-run-id='" + runId + "'] .status");
        wait.until(ExpectedConditions.attributeToBe(bar, "aria-valuenow", "100"));
        wait.until(ExpectedConditions.textToBe(status, "verified"));
        assertEquals("yes", js.executeScript("return window.sameDocument"), "the page was reloaded");
        String row = browser.findElement(By.cssSelector("tr[data-run-id='" + runId + "']")).getText();
        assertTrue(row.contains("batch") && row.contains("anthropic") && row.contains("completed " + ATOMS), row);

        // every atom on one page, so the whole order can be checked
        new Select(browser.findElement(By.id("page-size"))).selectByValue("500");
        wait.until(d -> {
            List<Map<String, String>> now = atomRows();
            return now.size() == ATOMS && now.stream().noneMatch(r -> r.get("source").equals("pending"));
        });
        List<Map<String, String>> rows = atomRows();
        List<String> shown = rows.stream().map(r -> r.get("tempId")).toList();
        List<String> api = given().get("/api/runs/{runId}/atoms?sort=quality&limit=500", runId).then().statusCode(200)
                .extract().jsonPath().getList("atoms.tempId", String.class);
        assertEquals(api, shown, "the table shows the API's quality order");

        List<Integer> scores = new ArrayList<>();
        int unscored = 0;
        for (Map<String, String> r : rows) {
            if (r.get("score").isEmpty()) {
                unscored++;
                assertTrue(r.get("cell").startsWith("unscored"), r.toString());
                assertFalse(r.get("issue").isBlank(), "no parse issue shown: " + r);
            } else {
                assertEquals(0, unscored, "a scored atom after an unscored one: " + r);
                scores.add(Integer.parseInt(r.get("score")));
            }
        }
        assertTrue(unscored > 0, "brokenRate 0.1 left no atom unscored: the mark went untested");
        assertTrue(scores.size() > ATOMS / 2, "too few scored atoms: " + scores.size());
        for (int i = 1; i < scores.size(); i++) {
            assertTrue(scores.get(i - 1) >= scores.get(i), "scores not highest first: " + scores);
        }

        // the histogram counts every atom, the unscored ones in their own column
        List<WebElement> columns = browser.findElements(By.cssSelector("#histogram .col"));
        assertEquals(11, columns.size());
        assertEquals(ATOMS, columns.stream().mapToInt(c -> Integer.parseInt(c.getAttribute("data-count"))).sum());
        assertEquals(unscored, Integer.parseInt(columns.get(10).getAttribute("data-count")));

        // cost: real numbers, or the plain statement that there are none
        int cost = given().get("/api/runs/{runId}/cost", runId).statusCode();
        if (cost == 404) {
            assertEquals("cost not available", browser.findElement(By.id("cost")).getText());
        } else {
            assertTrue(browser.findElement(By.id("cost")).getText().contains("Saving"));
        }

        // another column: tempId A to Z, then Z to A
        browser.findElement(By.cssSelector("#atoms th button[data-sort=tempId]")).click();
        List<String> sorted = new ArrayList<>(shown);
        sorted.sort(Comparator.naturalOrder());
        wait.until(d -> tempIds().equals(sorted));
        browser.findElement(By.cssSelector("#atoms th button[data-sort=tempId]")).click();
        List<String> reversed = new ArrayList<>(sorted);
        java.util.Collections.reverse(reversed);
        wait.until(d -> tempIds().equals(reversed));

        // the screenshot: best first again, at the default page size
        browser.findElement(By.cssSelector("#atoms th button[data-sort=quality]")).click();
        new Select(browser.findElement(By.id("page-size"))).selectByValue("25");
        wait.until(d -> tempIds().equals(api.subList(0, 25)));
        Path shot = Path.of("target", "review-page.png");
        Files.createDirectories(shot.getParent());
        Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(), shot,
                StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(shot) > 10_000, "screenshot too small to show anything");
    }

    @Test
    void aCutSocketReconnectsAndShowsWhatHappenedMeanwhile() {
        browser.get(page.toString());
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript("window.sameDocument = 'yes'; window.firstSocket = window.statusSocket;"
                + " window.statusSocket.close()");
        // (the page shows "reconnecting…" for the half second before it tries again: too short to poll for)

        // a run that starts (and may well end) while the page has no socket
        String runId = "reconnect-" + java.util.UUID.randomUUID();
        given().contentType(io.restassured.http.ContentType.JSON).body("{\"runId\":\"" + runId + "\","
                        + "\"options\":{\"mode\":\"realtime\"},\"atoms\":[{\"tempId\":\"a-1\","
                        + "\"description\":\"A user can export a report\",\"category\":\"functional\"}]}")
                .post("/api/runs").then().statusCode(202);

        wait.until(d -> Boolean.TRUE.equals(js.executeScript("return window.statusSocket !== window.firstSocket"
                + " && window.statusSocket.readyState === WebSocket.OPEN")));
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-run-id='" + runId + "'] .status"), "verified"));
        assertEquals("yes", js.executeScript("return window.sameDocument"), "the page was reloaded");
    }

    /** The atoms table read in one script, so that a re-render cannot leave half a row stale. */
    @SuppressWarnings("unchecked")
    private List<Map<String, String>> atomRows() {
        return (List<Map<String, String>>) ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('#atoms tbody tr[data-temp-id]')].map(r => ({"
                        + " tempId: r.dataset.tempId, score: r.dataset.score,"
                        + " cell: r.querySelector('td.score').innerText,"
                        + " issue: (r.querySelector('.parse-issue') || {}).textContent || '',"
                        + " source: r.children[4].textContent }))");
    }

    private List<String> tempIds() {
        return atomRows().stream().map(r -> r.get("tempId")).toList();
    }
}
