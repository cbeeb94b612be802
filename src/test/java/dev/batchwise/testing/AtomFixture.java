package dev.batchwise.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Inferred atoms as a reconciliation run produces them (the plan's production run had 1,620), generated from a
 * seed: the same seed and size give the same atoms on every machine ({@link Random} is specified by the JLS).
 * Mostly well-formed atoms of every category, from one line to a paragraph with acceptance criteria; a few vague
 * ones, a few that join behaviours with "and", a few near-duplicates of an earlier atom; some without a category,
 * some with non-ASCII text, quotes or braces. Built at test time, so there is no fixture file to drift from it.
 */
public final class AtomFixture {

    /** What kind of atom it is, for tests that want to find them; not sent on the wire. */
    public enum Kind { GOOD, LONG, VAGUE, COMPOUND, NEAR_DUPLICATE }

    public record FixtureAtom(String tempId, String description, String category, Kind kind) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] ACTORS = {
        "A signed-in user", "An administrator", "A guest visitor", "The billing service", "A support agent",
        "An API client with a read-only token", "A reviewer", "The nightly import job", "A tenant owner",
        "A user on a screen reader",
    };
    private static final String[] CAPABILITIES = {
        "can export the monthly report as CSV with the columns shown in the table",
        "sees a validation error naming the field",
        "is redirected to the login page",
        "receives a confirmation email within 5 minutes",
        "can archive a project",
        "gets HTTP 429 with a Retry-After header",
        "cannot view another tenant's invoices",
        "can restore a deleted document from the trash",
        "sees prices in the currency of the billing address",
        "can filter the audit log by date range",
        "is asked to confirm before a bulk delete",
        "can download an invoice as PDF",
        "sees the last sync time on the dashboard",
        "can reset a password through a link that expires after 30 minutes",
        "is logged out after 15 minutes without activity",
        "can undo the last change to a record",
    };
    private static final String[] CONDITIONS = {
        "", "", "", "when the session has expired", "after submitting the signup form",
        "within 30 days of deletion", "when more than 100 requests arrive in one minute",
        "on a screen narrower than 400 px", "while an import is still running", "if the payment provider times out",
        "when the display name contains letters such as \u201cZo\u00eb \u00c5ngstr\u00f6m\u201d",
        "when the email template contains a {placeholder} token", "for amounts in \u20ac with two decimals",
    };
    private static final String[] QUALIFIERS = {
        "", "", "", "in the web app", "through the public API", "in the mobile app", "in the EU region",
        "on the free plan",
    };
    private static final String[] CRITERIA = {
        "The result contains one row per invoice.", "Amounts use two decimal places.",
        "Dates are ISO 8601 in UTC.", "An empty period produces a file with only the header row.",
        "The file name includes the tenant id and the period.", "Failures are logged with the request id.",
        "The action is recorded in the audit log with the actor and the time.",
        "A second identical request within 10 seconds changes nothing.",
        "The page announces the change to assistive technology.",
        "The response arrives within 2 seconds at the 95th percentile for up to 10,000 records.",
        "Users without the \"billing:read\" permission get HTTP 403 and no data.",
        "The behaviour is the same in the web app and through the public API.",
    };
    private static final String[] VAGUE = {
        "The system should be fast.", "Errors are handled properly.", "The UI is user-friendly.",
        "Security is good.", "Reports work.", "It should be easy to use.", "Data is kept safe.",
        "Performance is acceptable under load.", "The app behaves correctly.", "Handle edge cases.",
    };
    /** Categories by weight, as an inference step labels them; null is an atom it left without one. */
    private static final String[] CATEGORIES = {
        "functional", "functional", "functional", "functional", "functional", "functional", "functional",
        "security", "security", "security", "performance", "performance", "usability", "usability", "data",
        "data", "integration", "accessibility", "compliance", null,
    };

    private AtomFixture() {
    }

    /** {@code n} atoms, tempIds {@code atom-0001...}; the same for the same seed and n. */
    public static List<FixtureAtom> generate(long seed, int n) {
        Random random = new Random(seed);
        List<Kind> kinds = kinds(n);
        Collections.shuffle(kinds, random);
        int firstGood = kinds.indexOf(Kind.GOOD);
        if (firstGood > 0) {
            Collections.swap(kinds, 0, firstGood); // a near-duplicate needs an atom before it
        }
        List<FixtureAtom> atoms = new ArrayList<>(n);
        List<FixtureAtom> originals = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Kind kind = kinds.get(i);
            String tempId = String.format("atom-%04d", i + 1);
            FixtureAtom atom = switch (kind) {
                case GOOD -> new FixtureAtom(tempId, unique(seen, () -> good(random)), category(random), kind);
                case LONG -> new FixtureAtom(tempId, unique(seen, () -> longAtom(random)), category(random), kind);
                // vague atoms repeat, as they do upstream: there are only so many ways to say nothing
                case VAGUE -> new FixtureAtom(tempId, pick(random, VAGUE), category(random), kind);
                case COMPOUND -> new FixtureAtom(tempId, unique(seen, () -> compound(random)), category(random), kind);
                case NEAR_DUPLICATE -> {
                    FixtureAtom original = originals.get(random.nextInt(originals.size()));
                    yield new FixtureAtom(tempId, nearDuplicate(random, original.description()), original.category(), kind);
                }
            };
            if (kind == Kind.GOOD) {
                originals.add(atom);
            }
            atoms.add(atom);
        }
        return atoms;
    }

    /** The value of an {@code atoms.inferred} record (and of {@code POST /api/runs}); {@code options} may be null. */
    public static String run(String runId, List<FixtureAtom> atoms, ObjectNode options) {
        return run(runId, "atoms", list -> atoms.forEach(a -> list.addObject().put("tempId", a.tempId())
                .put("description", a.description()).put("category", a.category())), options);
    }

    /** A whole run's JSON: {@code runId}, the entries under {@code field} as {@code entries} writes them, options. */
    static String run(String runId, String field, Consumer<ArrayNode> entries, ObjectNode options) {
        ObjectNode run = JSON.createObjectNode().put("runId", runId);
        entries.accept(run.putArray(field));
        if (options != null) {
            run.set("options", options);
        }
        try {
            return JSON.writeValueAsString(run);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode options() {
        return JSON.createObjectNode();
    }

    /** 80% good, 4% long, 6% vague, 6% compound, 4% near-duplicates; at least one of each from 10 atoms on. */
    private static List<Kind> kinds(int n) {
        List<Kind> kinds = new ArrayList<>(n);
        int minimum = n >= 10 ? 1 : 0;
        add(kinds, Kind.LONG, Math.max(minimum, Math.round(n * 0.04f)));
        add(kinds, Kind.VAGUE, Math.max(minimum, Math.round(n * 0.06f)));
        add(kinds, Kind.COMPOUND, Math.max(minimum, Math.round(n * 0.06f)));
        add(kinds, Kind.NEAR_DUPLICATE, Math.max(minimum, Math.round(n * 0.04f)));
        add(kinds, Kind.GOOD, Math.max(0, n - kinds.size()));
        return new ArrayList<>(kinds.subList(0, n));
    }

    private static void add(List<Kind> kinds, Kind kind, int count) {
        for (int i = 0; i < count; i++) {
            kinds.add(kind);
        }
    }

    /** Generated text is drawn again until it is new: duplicates are the near-duplicates' job. */
    private static String unique(Set<String> seen, Supplier<String> draw) {
        String text = draw.get();
        while (!seen.add(text)) {
            text = draw.get();
        }
        return text;
    }

    private static String good(Random random) {
        StringBuilder text = new StringBuilder(pick(random, ACTORS)).append(' ').append(pick(random, CAPABILITIES));
        for (String part : new String[] {pick(random, QUALIFIERS), pick(random, CONDITIONS)}) {
            if (!part.isEmpty()) {
                text.append(' ').append(part);
            }
        }
        return text.append('.').toString();
    }

    private static String longAtom(Random random) {
        StringBuilder text = new StringBuilder(good(random)).append(" Acceptance criteria:");
        List<String> criteria = new ArrayList<>(List.of(CRITERIA));
        Collections.shuffle(criteria, random);
        int count = 4 + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            text.append(' ').append(i + 1).append(". ").append(criteria.get(i));
        }
        return text.toString();
    }

    private static String compound(Random random) {
        StringBuilder text = new StringBuilder(pick(random, ACTORS)).append(' ').append(pick(random, CAPABILITIES));
        int more = 1 + random.nextInt(2);
        for (int i = 0; i < more; i++) {
            text.append(" and ").append(pick(random, CAPABILITIES));
        }
        return text.append('.').toString();
    }

    /** The same atom as an upstream step rewords it: one small change. */
    private static String nearDuplicate(Random random, String original) {
        String reworded = switch (random.nextInt(5)) {
            case 0 -> original.replaceFirst(" can ", " is able to ");
            case 1 -> original.substring(0, original.length() - 1) + " at all times.";
            case 2 -> Character.toLowerCase(original.charAt(0)) + original.substring(1);
            case 3 -> original.replaceFirst(" ", "  ");
            default -> original.substring(0, original.length() - 1);
        };
        return reworded.equals(original) ? original.substring(0, original.length() - 1) : reworded;
    }

    private static String category(Random random) {
        return pick(random, CATEGORIES);
    }

    private static String pick(Random random, String[] values) {
        return values[random.nextInt(values.length)];
    }
}
