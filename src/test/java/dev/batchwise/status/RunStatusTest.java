package dev.batchwise.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Plain JUnit: the run state machine and its wire names need no Quarkus. */
class RunStatusTest {

    @Test
    void runsMoveForwardOnly() {
        assertTrue(RunStatus.RECEIVED.canMoveTo(RunStatus.BATCH_PROCESSING));
        assertTrue(RunStatus.RECEIVED.canMoveTo(RunStatus.VERIFYING));
        assertTrue(RunStatus.BATCH_PROCESSING.canMoveTo(RunStatus.VERIFYING), "batch falls back to real time");
        assertTrue(RunStatus.VERIFYING.canMoveTo(RunStatus.VERIFIED));
        assertFalse(RunStatus.VERIFYING.canMoveTo(RunStatus.BATCH_PROCESSING));
        assertFalse(RunStatus.VERIFIED.canMoveTo(RunStatus.FAILED));
        assertFalse(RunStatus.RECEIVED.canMoveTo(RunStatus.RECEIVED));
    }

    @Test
    void wireNamesAreLowerCase() {
        assertEquals("batch_processing", RunStatus.BATCH_PROCESSING.wireName());
        assertEquals(RunStatus.BATCH_PROCESSING, RunStatus.fromWire("batch_processing"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunStatus.fromWire("sleeping"));
        assertTrue(e.getMessage().contains("sleeping"));
    }
}
