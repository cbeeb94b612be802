package dev.batchwise.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Tests as an inference run receives them (the plan's production run had 1,620), generated from a seed: an id, a
 * name and a context of a few hundred bytes to a few KB (the test's source and the behaviour it names), some with
 * non-ASCII text, quotes or braces. The same seed and size give the same tests on every machine.
 */
public final class TestFixture {

    public record FixtureTest(String testId, String name, String context) {
    }

    private static final String[] AREAS = {"billing", "auth", "export", "search", "audit", "import", "tenancy", "ui"};
    private static final String[] CHECKS = {
        "assert response.status_code == 403",
        "assert exported.header == [\"id\", \"amount\", \"currency\"]",
        "assert mail.outbox[0].subject.startswith(\"Confirm\")",
        "assert page.get_by_role(\"alert\").inner_text() == \"Name is required\"",
        "assert audit.last().actor == admin.id",
        "assert len(results) == 100 and results.next_cursor",
        "assert invoice.total == Decimal(\"12.50\")",
        "assert client.get(\"/api/items\", headers=limited).headers[\"Retry-After\"] == \"1\"",
        "assert restored.title == \"Zo\u00eb's plan {draft}\"",
        "assert session.expired_after(minutes=15)",
    };

    private TestFixture() {
    }

    public static List<FixtureTest> generate(long seed, int n) {
        Random random = new Random(seed);
        List<FixtureTest> tests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String area = AREAS[random.nextInt(AREAS.length)];
            String name = "test_" + area + "_case_" + i;
            StringBuilder context = new StringBuilder("def ").append(name).append("(client, admin):\n");
            int checks = 1 + random.nextInt(4);
            for (int c = 0; c < checks; c++) {
                context.append("    ").append(CHECKS[random.nextInt(CHECKS.length)]).append('\n');
            }
            // long contexts: fixtures and helpers the test pulls in
            int filler = random.nextInt(10) == 0 ? 2000 + random.nextInt(4000) : random.nextInt(400);
            for (int k = 0; k < filler; k += 40) {
                context.append("# helper line ").append(k).append(" of the ").append(area).append(" fixture\n");
            }
            tests.add(new FixtureTest("tests/" + area + "/test_" + area + ".py::" + name, name, context.toString()));
        }
        return tests;
    }

    /** The JSON of {@code POST /api/inference-runs} (and of a whole-run {@code inference.requested} record). */
    public static String run(String runId, List<FixtureTest> tests, ObjectNode options) {
        return AtomFixture.run(runId, "tests", list -> tests.forEach(t -> list.addObject().put("testId", t.testId())
                .put("name", t.name()).put("context", t.context())), options);
    }

    public static ObjectNode options() {
        return AtomFixture.options();
    }
}
