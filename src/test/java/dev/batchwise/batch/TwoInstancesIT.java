package dev.batchwise.batch;

import dev.batchwise.testing.StatusClient;
import java.net.URI;
import java.time.Duration;
import org.awaitility.Awaitility;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.Db;
import dev.batchwise.testing.ServiceProcess;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two service processes on one database, broker and provider: they share the jobs of a run (FOR UPDATE SKIP
 * LOCKED claims), every job gets one provider batch, every item is sent once, and no job is worked on by both at
 * once: from the two logs, the intervals between a poller's "claimed in" and "released" lines of one job never
 * overlap across the instances, no worker lost a claim to the other, and no poller took a job from a submitter.
 */
class TwoInstancesIT {

    private static final int ATOMS = 500;
    private static final int PER_BATCH = 50;
    /** The default console format: {@code %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{3.}] (%t) %s%e%n}. */
    private static final Pattern POLLER_LINE = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3})"
            + " DEBUG \\[dev\\.batchwise\\.batch\\.BatchPoller] \\([^)]*\\) job=([0-9a-f-]{36}) .*?"
            + "(claimed in [A-Z_]+|released)$");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

    private static PackagedBatchRun scenario;

    @BeforeAll
    static void begin() {
        scenario = PackagedBatchRun.begin("two-instances");
    }

    @AfterAll
    static void end() {
        if (scenario != null) {
            scenario.close();
        }
    }

    @Test
    void twoInstancesShareTheJobsAndNeverPollOneAtTheSameTime() throws Exception {
        String runId = "two-instances-" + System.nanoTime();
        int[] ports = ServiceProcess.freePorts(2);
        // The poller logs "released" once the release has committed, and the release makes the job due again
        // batch.poll-interval-ms after its transaction began: a slow release (or a late log line) on a loaded
        // machine shortens that margin, so it is kept well above such delays here (500 ms was not: with other builds
        // on the two cores a "released" line was written 70 ms after the other instance had claimed the job).
        Function<String, ServiceProcess.Spec> instance = name -> scenario.service(name)
                .with("batch.max-requests-per-batch", PER_BATCH).with("batch.poll-interval-ms", 1500);
        List<ServiceProcess> instances = scenario.startAll(instance.apply("a").onPort(ports[0]),
                instance.apply("b").onPort(ports[1]));
        // each job is polled a good number of times while it runs, by whichever instance claims it first
        scenario.configureSimulator(Map.of("batchFixedMs", 6000));

        // a browser on each instance: each instance reads reconciliation.status in a group of its own
        List<StatusClient> browsers = instances.stream().map(service -> StatusClient.connect(
                StatusClient.uri(URI.create(service.baseUrl()), "/ws/runs/" + runId), true)).toList();
        try {
            PackagedBatchRun.postRun(instances.get(0), runId, ATOMS, "anthropic");
            PackagedBatchRun.awaitVerified(instances.get(1), runId);
            scenario.assertExactlyOnce(runId, ATOMS, "anthropic", PER_BATCH);
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> browsers.stream().allMatch(b -> b.lastIs(runId, "verified")));
            List<List<Long>> seqs = browsers.stream().map(b -> b.of(runId).stream().map(StatusClient.Received::seq)
                    .toList()).toList();
            for (List<Long> got : seqs) {
                assertTrue(got.size() > 2, "the run's events, not just its end: " + got);
                for (int i = 1; i < got.size(); i++) {
                    assertTrue(got.get(i) > got.get(i - 1), "in order: " + got);
                }
            }
            // the same record of the topic, pushed by each instance: the same final event, to the byte ("at" included)
            assertEquals(last(browsers.get(0), runId), last(browsers.get(1), runId), "the two instances' final events");
        } finally {
            browsers.forEach(StatusClient::close);
        }

        Set<String> jobs = Db.rows("select id::text as id from batch_jobs where reconciliation_run_id = ?", runId)
                .stream().map(row -> (String) row.get("id")).collect(Collectors.toSet());
        Map<String, List<Interval>> a = intervals(instances.get(0));
        Map<String, List<Interval>> b = intervals(instances.get(1));
        assertTrue(union(a, b).containsAll(jobs), "every job was claimed by a poller: " + jobs + " vs " + union(a, b));
        assertTrue(!a.isEmpty() && !b.isEmpty(), "both instances polled jobs (a: " + a.keySet().size() + " jobs, b: "
                + b.keySet().size() + " jobs)");

        List<String> overlaps = new ArrayList<>();
        for (String job : jobs) {
            for (Interval x : a.getOrDefault(job, List.of())) {
                for (Interval y : b.getOrDefault(job, List.of())) {
                    if (x.overlaps(y)) {
                        overlaps.add("job " + job + ": a " + x + " / b " + y);
                    }
                }
            }
        }
        assertEquals(List.of(), overlaps, "a job held by both instances at once");

        for (ServiceProcess service : instances) {
            // a worker whose job another one claimed finds out at its next guarded write
            assertEquals(List.of(), lines(service, "was lost to another worker"), service.name());
            // without a crash, no poller takes a job from a submitter that is still at work
            assertEquals(List.of(), lines(service, "claimed in SUBMITTING"), service.name());
        }
    }

    private static String last(StatusClient browser, String runId) {
        List<StatusClient.Received> got = browser.of(runId);
        return got.get(got.size() - 1).event().toString();
    }

    private static List<String> lines(ServiceProcess instance, String text) {
        return instance.logLines().stream().filter(line -> line.contains(text)).toList();
    }

    /** A poller's hold of a job, from "claimed in" to "released" (open: the log ends before it was released). */
    record Interval(LocalDateTime claimed, LocalDateTime released, String status) {

        /** Strictly: a job released in the millisecond the other instance claims it does not count (resolution). */
        boolean overlaps(Interval other) {
            return claimed.isBefore(other.end()) && other.claimed.isBefore(end());
        }

        LocalDateTime end() {
            return released == null ? LocalDateTime.MAX : released;
        }

        @Override
        public String toString() {
            return "[" + claimed.format(TIME) + " (" + status + "), " + (released == null ? "open" : released.format(TIME))
                    + "]";
        }
    }

    /** Per job, the instance's holds in the order of its log; a "released" closes the oldest open "claimed". */
    static Map<String, List<Interval>> intervals(ServiceProcess instance) {
        Map<String, Deque<String[]>> open = new HashMap<>();
        Map<String, List<Interval>> holds = new HashMap<>();
        for (String line : instance.logLines()) {
            Matcher m = POLLER_LINE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            String job = m.group(2);
            if (m.group(3).startsWith("claimed")) {
                open.computeIfAbsent(job, k -> new ArrayDeque<>()).add(new String[] {m.group(1), m.group(3)});
            } else {
                String[] claimed = open.getOrDefault(job, new ArrayDeque<>()).poll();
                if (claimed == null) {
                    throw new AssertionError(instance.name() + ": released without a claim: " + line);
                }
                holds.computeIfAbsent(job, k -> new ArrayList<>()).add(new Interval(LocalDateTime.parse(claimed[0], TIME),
                        LocalDateTime.parse(m.group(1), TIME), claimed[1].substring("claimed in ".length())));
            }
        }
        open.forEach((job, claims) -> claims.forEach(claimed -> holds.computeIfAbsent(job, k -> new ArrayList<>())
                .add(new Interval(LocalDateTime.parse(claimed[0], TIME), null, claimed[1].substring("claimed in ".length())))));
        return holds;
    }

    private static Set<String> union(Map<String, ?> a, Map<String, ?> b) {
        Set<String> all = new TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        return all;
    }
}
