package dev.batchwise.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batchwise.testing.AtomFixture.FixtureAtom;
import dev.batchwise.testing.AtomFixture.Kind;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The generated fixture is what the end-to-end and golden tests take it for. */
class AtomFixtureTest {

    @Test
    void theSameSeedGivesTheSameAtomsAndAnotherSeedOthers() {
        assertEquals(AtomFixture.generate(1620, 1620), AtomFixture.generate(1620, 1620));
        assertNotEquals(AtomFixture.generate(1620, 1620), AtomFixture.generate(1621, 1620));
        // a known atom, so that a change to the generator (or to java.util.Random) is seen here first
        assertEquals(new FixtureAtom("atom-0002", "An administrator sees the last sync time on the dashboard and sees a"
                + " validation error naming the field.", "functional", Kind.COMPOUND), AtomFixture.generate(1620, 1620).get(1));
    }

    @Test
    void theProductionSizedSetHasTheMixOfARealRun() {
        List<FixtureAtom> atoms = AtomFixture.generate(1620, 1620);
        assertEquals(1620, atoms.size());
        assertEquals(1620, atoms.stream().map(FixtureAtom::tempId).distinct().count(), "tempIds are unique");
        Map<Kind, Long> kinds = atoms.stream().collect(Collectors.groupingBy(FixtureAtom::kind, Collectors.counting()));
        assertEquals(Map.of(Kind.GOOD, 1296L, Kind.LONG, 65L, Kind.VAGUE, 97L, Kind.COMPOUND, 97L,
                Kind.NEAR_DUPLICATE, 65L), kinds);

        IntSummaryStatistics lengths = atoms.stream().mapToInt(a -> a.description().length()).summaryStatistics();
        assertTrue(lengths.getMin() <= 20, "short atoms: " + lengths);
        assertTrue(lengths.getMax() >= 500, "long atoms: " + lengths);
        Set<String> categories = new HashSet<>();
        atoms.forEach(a -> categories.add(a.category()));
        assertTrue(categories.size() >= 9 && categories.contains(null), categories.toString());
        assertTrue(atoms.stream().anyMatch(a -> !StandardCharsets.US_ASCII.newEncoder().canEncode(a.description())),
                "some non-ASCII text");
        assertTrue(atoms.stream().anyMatch(a -> a.description().contains("{")), "some braces in descriptions");

        atoms.stream().filter(a -> a.kind() == Kind.COMPOUND)
                .forEach(a -> assertTrue(a.description().contains(" and "), a.description()));
        Map<String, FixtureAtom> byNormalForm = atoms.stream().filter(a -> a.kind() == Kind.GOOD)
                .collect(Collectors.toMap(a -> normal(a.description()), Function.identity()));
        for (FixtureAtom duplicate : atoms.stream().filter(a -> a.kind() == Kind.NEAR_DUPLICATE).toList()) {
            FixtureAtom original = byNormalForm.get(normal(duplicate.description()));
            assertTrue(original != null && !original.description().equals(duplicate.description())
                    && original.tempId().compareTo(duplicate.tempId()) < 0, duplicate.toString());
        }
        assertEquals(atoms.stream().filter(a -> a.kind() != Kind.VAGUE && a.kind() != Kind.NEAR_DUPLICATE).count(),
                atoms.stream().filter(a -> a.kind() != Kind.VAGUE && a.kind() != Kind.NEAR_DUPLICATE)
                        .map(FixtureAtom::description).distinct().count(), "no exact duplicates but the vague ones");
    }

    @Test
    void theRunOf1620IsOneKafkaRecordWellUnderTheOneMebibyteLimit() {
        byte[] record = AtomFixture.run("run-x", AtomFixture.generate(1620, 1620), null).getBytes(StandardCharsets.UTF_8);
        assertTrue(record.length > 200_000 && record.length < 900_000, record.length + " bytes");
    }

    @Test
    void sixtyAtomsHaveEveryKind() {
        Set<Kind> kinds = AtomFixture.generate(60, 60).stream().map(FixtureAtom::kind).collect(Collectors.toSet());
        assertEquals(Set.of(Kind.values()), kinds);
        assertTrue(AtomFixture.generate(60, 5).stream().map(FixtureAtom::kind).allMatch(Objects::nonNull));
    }

    /** A near-duplicate undone: the rewordings the generator makes, reversed. */
    private static String normal(String text) {
        String t = text.replace("  ", " ").replace(" is able to ", " can ").replace(" at all times.", "");
        t = t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
        return Character.toLowerCase(t.charAt(0)) + t.substring(1);
    }
}
