package dev.batchwise.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.scoring.QualityAnswer.Repair;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading inference answers (a JSON array of atoms) with the recovery of quality answers; stable tempIds. */
class AtomInferenceServiceTest {

    private static final String TWO = "[{\"description\": \"A user can export a report.\", \"category\": \"functional\"},"
            + " {\"description\": \"An export of 10,000 rows ends within 5 s.\", \"category\": \"Performance\"}]";

    /** name, answer, expected descriptions (empty: unreadable), expected parse issue (prefix; null: none), repairs */
    static Stream<Arguments> answers() {
        List<String> both = List.of("A user can export a report.", "An export of 10,000 rows ends within 5 s.");
        return Stream.of(
                Arguments.of("plain", TWO, both, null, Set.of()),
                Arguments.of("fenced", "```json\n" + TWO + "\n```", both, null, Set.of(Repair.FENCE)),
                Arguments.of("fenced without a language", "```\n" + TWO + "\n```", both, null, Set.of(Repair.FENCE)),
                Arguments.of("prose around it", "Here are the atoms this test checks.\n\n" + TWO + "\n\nAnything else?",
                        both, null, Set.of(Repair.PROSE)),
                Arguments.of("trailing commas", "[{\"description\": \"A user can export a report.\",},"
                        + " {\"description\": \"An export of 10,000 rows ends within 5 s.\"},]", both, null,
                        Set.of(Repair.TRAILING_COMMA)),
                Arguments.of("single quotes", "[{'description': 'A user can export a report.'},"
                        + " {'description': 'An export of 10,000 rows ends within 5 s.'}]", both, null,
                        Set.of(Repair.SINGLE_QUOTES)),
                Arguments.of("brackets inside strings", "[{\"description\": \"A user sees [draft] on unsent items.\"}]",
                        List.of("A user sees [draft] on unsent items."), null, Set.of()),
                Arguments.of("one entry without a description is left out",
                        "[{\"category\": \"security\"}, {\"description\": \"A user can export a report.\"}]",
                        List.of("A user can export a report."), "left out: entry 0 has no \"description\"", Set.of()),
                Arguments.of("cut short", TWO.substring(0, TWO.length() / 2), List.of(),
                        "answer cut short: no closing bracket", Set.of()),
                Arguments.of("not JSON at all", "I could not find any behaviour in this test.", List.of(),
                        "the answer has no JSON array", Set.of()),
                Arguments.of("empty", "  ", List.of(), "the answer is empty", Set.of()),
                Arguments.of("an empty list", "[]", List.of(), "the answer lists no atoms", Set.of()),
                Arguments.of("a list of strings", "[\"export\", \"import\"]", List.of(),
                        "no entry is an atom: entry 0 has no \"description\"; entry 1", Set.of()),
                Arguments.of("bare words", "[{description: \"A user can export a report.\"}]", List.of(),
                        "the answer is not valid JSON", Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void readsWhatCanBeReadAndNamesWhatCannot(String name, String answer, List<String> descriptions, String issue,
                                             Set<Repair> repairs) {
        InferenceAnswer read = AtomInferenceService.read(answer);
        assertEquals(descriptions, read.atoms().stream().map(InferenceAnswer.Atom::description).toList());
        assertEquals(!descriptions.isEmpty(), read.readable());
        if (issue == null) {
            assertNull(read.parseIssue());
        } else {
            assertTrue(read.parseIssue() != null && read.parseIssue().startsWith(issue), read.parseIssue());
        }
        assertEquals(repairs, read.repairs());
    }

    @Test
    void categoriesAreLowerCasedAndDefaultToFunctionalAndIndexesKeepTheirPlace() {
        InferenceAnswer read = AtomInferenceService.read("[{\"description\": \"x\"}, 7,"
                + " {\"description\": \"y\", \"category\": \" Security \"}]");
        assertEquals(List.of(new InferenceAnswer.Atom(0, "x", "functional"), new InferenceAnswer.Atom(2, "y", "security")),
                read.atoms());
    }

    @Test
    void tempIdsAreStableAcrossReRunsAndDistinctAcrossRunsTestsAndIndexes() {
        String id = AtomInferenceService.tempId("run-1", "test/checkout spec.ts:12", 0);
        assertEquals(id, AtomInferenceService.tempId("run-1", "test/checkout spec.ts:12", 0));
        assertTrue(id.matches("inf-[0-9a-f]{20}"), id);
        assertNotEquals(id, AtomInferenceService.tempId("run-2", "test/checkout spec.ts:12", 0));
        assertNotEquals(id, AtomInferenceService.tempId("run-1", "test/checkout spec.ts:13", 0));
        assertNotEquals(id, AtomInferenceService.tempId("run-1", "test/checkout spec.ts:12", 1));
        // the separator keeps ("ab", "c") and ("a", "bc") apart
        assertNotEquals(AtomInferenceService.tempId("run", "ab", 0), AtomInferenceService.tempId("ru", "nab", 0));
    }

    @Test
    void theRequestSharesItsSystemPromptAndCarriesTheTest() {
        var request = AtomInferenceService.request("c-1", "t-7", "checkout applies a coupon", "it('applies') ...");
        assertEquals(InferencePrompt.SYSTEM, request.systemPrompt());
        assertTrue(request.userPrompt().contains("t-7") && request.userPrompt().contains("checkout applies a coupon")
                && request.userPrompt().contains("it('applies') ..."), request.userPrompt());
        assertEquals(request, AtomInferenceService.request("c-1", "t-7", "checkout applies a coupon", "it('applies') ..."));
    }
}
