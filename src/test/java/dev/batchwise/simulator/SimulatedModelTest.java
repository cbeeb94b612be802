package dev.batchwise.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.scoring.AtomInferenceService;
import dev.batchwise.scoring.InferenceAnswer;
import dev.batchwise.scoring.InferencePrompt;
import dev.batchwise.scoring.QualityAnswer.Repair;
import dev.batchwise.scoring.QualityPrompt;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulated model's answers to the inference prompt, read by the service's own reader. */
class SimulatedModelTest {

    private static SimulatorSettings shares(double fenced, double prose, double broken) {
        return new SimulatorSettings(42, null, 0, 0, 0, false, 86_400_000, false, 0, 0, 1000, 0, 0, fenced, prose,
                broken, 1024, 268_435_456, 209_715_200, 300, 0, 0, 0);
    }

    @Test
    void promptsAreToldApart() {
        assertEquals(SimulatedModel.Kind.INFERENCE, SimulatedModel.kind(InferencePrompt.SYSTEM,
                InferencePrompt.user("t-1", "checkout applies a coupon", "...")));
        assertEquals(SimulatedModel.Kind.QUALITY, SimulatedModel.kind(QualityPrompt.SYSTEM,
                QualityPrompt.user("A user can export a report", "functional")));
        assertEquals(SimulatedModel.Kind.PLAIN, SimulatedModel.kind(null, "Say hello"));
    }

    @Test
    void everyTestGetsOneToFourReadableAtomsTheSameEachTime() {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int test = 0; test < 400; test++) {
            long hash = SimulatedModel.promptHash(42, "claude-haiku-5-5", InferencePrompt.SYSTEM,
                    InferencePrompt.user("t-" + test, "test " + test, "context " + test));
            String text = SimulatedModel.answer(hash, SimulatedModel.Kind.INFERENCE, InferencePrompt.MAX_TOKENS,
                    shares(0, 0, 0)).text();
            assertEquals(text, SimulatedModel.answer(hash, SimulatedModel.Kind.INFERENCE, InferencePrompt.MAX_TOKENS,
                    shares(0, 0, 0)).text(), "deterministic");
            InferenceAnswer read = AtomInferenceService.read(text);
            assertNull(read.parseIssue(), text);
            assertTrue(read.repairs().isEmpty(), text);
            read.atoms().forEach(atom -> assertTrue(AtomInferenceService.CATEGORIES.contains(atom.category()), text));
            counts.merge(read.atoms().size(), 1, Integer::sum);
        }
        assertEquals(java.util.Set.of(1, 2, 3, 4), counts.keySet(), counts.toString());
    }

    @Test
    void answersAreShapedByTheSameSharesAsQualityAnswers() {
        Map<String, Integer> shapes = new HashMap<>();
        for (int test = 0; test < 400; test++) {
            long hash = SimulatedModel.promptHash(42, "m", InferencePrompt.SYSTEM, InferencePrompt.user("t-" + test, "n", "c"));
            InferenceAnswer read = AtomInferenceService.read(SimulatedModel.answer(hash, SimulatedModel.Kind.INFERENCE,
                    InferencePrompt.MAX_TOKENS, shares(0.25, 0.25, 0.25)).text());
            String shape = !read.readable() ? "broken" : read.repairs().contains(Repair.FENCE) ? "fenced"
                    : read.repairs().contains(Repair.PROSE) ? "prose" : "plain";
            shapes.merge(shape, 1, Integer::sum);
        }
        assertEquals(4, shapes.size(), shapes.toString());
        shapes.values().forEach(n -> assertTrue(n > 50, shapes.toString()));
        assertFalse(shapes.containsKey("other"));
    }
}
