package dev.batchwise.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.llm.LlmRequest;
import dev.batchwise.scoring.QualityAnswer.Repair;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Answers as models write them, and how each is read: a score and issues, or the parse issue a person reads. */
class AtomQualityServiceTest {

    /** One answer and its expected reading; {@code parseIssue} is a prefix where the JSON parser words the end. */
    record Case(String name, String answer, Integer score, List<String> issues, String parseIssue, Set<Repair> repairs) {

        @Override
        public String toString() {
            return name;
        }
    }

    private static final String PLAIN = "{\"score\": 72, \"issues\": [\"The atom names no observable outcome.\"]}";
    private static final List<String> ONE = List.of("The atom names no observable outcome.");

    static Stream<Case> answers() {
        return Stream.of(
                ok("plain JSON", PLAIN, 72, ONE),
                ok("plain, no issues", "{\"score\": 91, \"issues\": []}", 91, List.of()),
                ok("fenced with json tag (the simulator's shape)", "```json\n" + PLAIN + "\n```", 72, ONE, Repair.FENCE),
                ok("fenced without a tag", "```\n" + PLAIN + "\n```", 72, ONE, Repair.FENCE),
                ok("fenced, CRLF and a JSON tag", "```JSON\r\n" + PLAIN + "\r\n```\r\n", 72, ONE, Repair.FENCE),
                ok("prose before and after (the simulator's shape)", "Here is my assessment of the atom.\n\n" + PLAIN
                        + "\n\nLet me know if you need more detail.", 72, ONE, Repair.PROSE),
                ok("prose before only", "Sure! My rating: " + PLAIN, 72, ONE, Repair.PROSE),
                ok("prose around a fence", "Here you go:\n```json\n" + PLAIN + "\n```\nHope this helps.", 72, ONE,
                        Repair.FENCE, Repair.PROSE),
                ok("prose with braces of its own before the object", "I used the format {score, issues} you asked"
                        + " for: " + PLAIN, 72, ONE, Repair.PROSE),
                ok("trailing comma in the object", "{\"score\": 64, \"issues\": [],}", 64, List.of(), Repair.TRAILING_COMMA),
                ok("trailing comma in the issues list", "{\"score\": 64, \"issues\": [\"Vague.\", ]}", 64,
                        List.of("Vague."), Repair.TRAILING_COMMA),
                ok("single-quoted keys and strings", "{'score': 55, 'issues': ['Two behaviours are combined.']}", 55,
                        List.of("Two behaviours are combined."), Repair.SINGLE_QUOTES),
                ok("single-quoted, with an escaped apostrophe and a double quote inside",
                        "{'score': 40, 'issues': ['It doesn\\'t say what \"done\" means']}", 40,
                        List.of("It doesn't say what \"done\" means"), Repair.SINGLE_QUOTES),
                ok("an apostrophe inside a double-quoted string is not a quote", "{\"score\": 58, \"issues\":"
                        + " [\"The user's role is unstated\"]}", 58, List.of("The user's role is unstated")),
                ok("braces inside strings do not end the object", "{\"score\": 61, \"issues\": [\"Uses the"
                        + " {placeholder} syntax\", \"A stray } brace\", \"and a { one\"]}", 61,
                        List.of("Uses the {placeholder} syntax", "A stray } brace", "and a { one")),
                ok("escaped quote before a brace inside a string", "{\"score\": 70, \"issues\": [\"says \\\"}\\\"\"]}",
                        70, List.of("says \"}\"")),
                ok("two objects: the first counts", PLAIN + "\n{\"score\": 10, \"issues\": []}", 72, ONE, Repair.PROSE),
                ok("an example object without a score, then the answer", "The schema is {\"issues\": []}. Answer: "
                        + PLAIN, 72, ONE, Repair.PROSE),
                ok("score as a string", "{\"score\": \"85\", \"issues\": []}", 85, List.of(), Repair.SCORE_AS_STRING),
                ok("fractional rounds half up", "{\"score\": 72.5, \"issues\": []}", 73, List.of()),
                ok("fractional rounds down below the half", "{\"score\": 72.49, \"issues\": []}", 72, List.of()),
                ok("issues not a list: one string", "{\"score\": 50, \"issues\": \"Too vague.\"}", 50,
                        List.of("Too vague."), Repair.ISSUES_NOT_A_LIST),
                ok("issues with entries that are not strings", "{\"score\": 33, \"issues\": [1, {\"kind\": \"vague\"},"
                        + " null, \"\", \"Real issue\", true]}", 33,
                        List.of("1", "{\"kind\":\"vague\"}", "Real issue", "true")),
                ok("issues missing", "{\"score\": 88}", 88, List.of()),
                ok("issues null", "{\"score\": 88, \"issues\": null}", 88, List.of()),
                ok("unicode, escapes and a byte-order mark", "\uFEFF{\"score\": 47, \"issues\": [\"Zoë's café"
                        + " – „vage“ ✓\", \"\\u00e9t\\u00e9\"]}", 47, List.of("Zoë's café – „vage“ ✓", "été")),
                ok("pretty-printed over lines", "{\n  \"score\": 77,\n  \"issues\": [\n    \"Vague.\"\n  ]\n}\n", 77,
                        List.of("Vague.")),
                clamped("score above 100 clamps", "{\"score\": 105, \"issues\": []}", 100, List.of(),
                        "score 105 is outside 0-100; clamped to 100"),
                clamped("score below 0 clamps", "{\"score\": -3, \"issues\": [\"Nonsense.\"]}", 0, List.of("Nonsense."),
                        "score -3 is outside 0-100; clamped to 0"),
                clamped("fraction just above 100 clamps", "{\"score\": 100.4}", 100, List.of(),
                        "score 100.4 is outside 0-100; clamped to 100"),
                bad("cut in half (the simulator's broken shape)", "{\"score\": 72, \"issues\": [\"The atom na",
                        "answer cut short: no closing brace"),
                bad("cut short inside a fence", "```json\n{\"score\": 72, \"issu", "answer cut short: no closing brace"),
                bad("cut short right after the score", "{\"score\": 8", "answer cut short: no closing brace"),
                bad("cut short after a complete nested object", "{\"score\": 80, \"detail\": {\"kind\": \"vague\"},"
                        + " \"iss", "answer cut short: no closing brace"),
                bad("not JSON at all", "I am unable to evaluate this atom without more context.",
                        "the answer has no JSON object"),
                bad("empty", "", "the answer is empty"),
                bad("only whitespace", " \n\t  \n", "the answer is empty"),
                bad("null content", null, "the answer is empty"),
                bad("score is a word", "{\"score\": \"high\", \"issues\": []}", "\"score\" is not a number (was \"high\")"),
                bad("score is a fraction string with a slash", "{\"score\": \"85/100\"}",
                        "\"score\" is not a number (was \"85/100\")"),
                bad("score is null", "{\"score\": null, \"issues\": []}", "\"score\" is not a number (was null)"),
                bad("score is a list", "{\"score\": [80], \"issues\": []}", "\"score\" is not a number (was [80])"),
                bad("no score", "{\"rating\": 80, \"issues\": []}", "the answer has no \"score\""),
                bad("score only in a nested object (a field, not the answer)", "{\"result\": {\"score\": 80}}", "the answer has no \"score\""),
                bad("two scores in one object (refused)", "{\"score\": 80, \"score\": 20}",
                        "the answer is not valid JSON: Duplicate field 'score'"),
                bad("missing comma (refused)", "{\"score\": 80 \"issues\": []}", "the answer is not valid JSON: "),
                bad("unquoted keys (refused)", "{score: 80, issues: []}", "the answer is not valid JSON: "),
                bad("NaN (refused)", "{\"score\": NaN}", "the answer is not valid JSON: "),
                bad("a JSON array, no object", "[80, \"vague\"]", "the answer has no JSON object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void eachAnswerIsReadAsExpected(Case c) {
        QualityAnswer answer = AtomQualityService.read(c.answer());
        assertEquals(c.score(), answer.score(), "score");
        assertEquals(c.issues(), answer.issues(), "issues");
        if (c.parseIssue() == null) {
            assertNull(answer.parseIssue(), "a clean or lossless reading has no parse issue");
        } else {
            assertNotNull(answer.parseIssue(), "parse issue");
            assertTrue(answer.parseIssue().startsWith(c.parseIssue()), answer.parseIssue());
        }
        if (c.repairs() != null) {
            assertEquals(c.repairs(), answer.repairs(), "repairs");
        }
    }

    @Test
    void theTableIsBigEnoughAndCoversEveryOutcome() {
        List<Case> cases = answers().toList();
        assertTrue(cases.size() >= 20, cases.size() + " cases");
        assertTrue(cases.stream().anyMatch(c -> c.score() != null && c.parseIssue() == null));
        assertTrue(cases.stream().anyMatch(c -> c.score() != null && c.parseIssue() != null));
        assertTrue(cases.stream().anyMatch(c -> c.score() == null));
    }

    @Test
    void aParseIssueIsAlwaysASentenceAndTheRunNeverFails() {
        // whatever the model sends, reading it returns; unreadable answers say why
        for (String junk : List.of("{", "}", "{{{{", "'", "{'", "{\"a\": '", "```", "```json", "{\"score\": 1e999}",
                "{\"score\": 80}}}}", "\\", "{\"score\": \"\"}", "\u0000{\u0000}")) {
            QualityAnswer answer = AtomQualityService.read(junk);
            assertTrue(answer.score() != null || (answer.parseIssue() != null && !answer.parseIssue().isBlank()), junk);
        }
    }

    @Test
    void theRequestSharesOneCacheableSystemPromptAndBuildsTheUserPromptFromTheAtom() {
        LlmRequest a = AtomQualityService.request("c-1", "A user can export the report as CSV.", "functional");
        LlmRequest b = AtomQualityService.request("c-2", "An admin is logged out after 15 minutes.", null);
        assertEquals(QualityPrompt.SYSTEM, a.systemPrompt());
        assertEquals(a.systemPrompt(), b.systemPrompt());
        assertTrue(a.cachesSystemPrompt() && b.cachesSystemPrompt(), "the system prompt is marked for the cache");
        assertEquals("Atom (category: functional):\nA user can export the report as CSV.", a.userPrompt());
        assertEquals("Atom (category: none):\nAn admin is logged out after 15 minutes.", b.userPrompt());
        assertEquals(QualityPrompt.MAX_TOKENS, a.maxTokensOrDefault());
        assertNull(a.temperature(), "no temperature: one API version refuses it");
        assertEquals(a, AtomQualityService.request("c-1", "A user can export the report as CSV.", "functional"),
                "the same atom gets the same request every time");
    }

    private static Case ok(String name, String answer, int score, List<String> issues, Repair... repairs) {
        return new Case(name, answer, score, issues, null, Set.of(repairs));
    }

    private static Case clamped(String name, String answer, int score, List<String> issues, String note) {
        return new Case(name, answer, score, issues, note, Set.of());
    }

    private static Case bad(String name, String answer, String parseIssue) {
        return new Case(name, answer, null, List.of(), parseIssue, null);
    }
}
