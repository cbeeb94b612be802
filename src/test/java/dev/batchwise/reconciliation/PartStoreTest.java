package dev.batchwise.reconciliation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** COPY's text format, as the intake writes a part's atoms: plain JUnit, the escaping is pure. */
class PartStoreTest {

    @Test
    void onlyBackslashTabNewlineAndCarriageReturnAreEscaped() {
        String plain = "Invoice 10000 matches \"PO\" 70000, 5 units; ünïcödé";
        assertSame(plain, PartStore.escape(plain), "nothing to escape: the same string, not a copy");
        assertEquals("a\\\\b\\tc\\nd\\re", PartStore.escape("a\\b\tc\nd\re"));
        // a JSON payload keeps its own escapes: COPY gets them doubled and stores them as sent
        assertEquals("{\"d\":\"line\\\\nnext \\\\\"q\\\\\"\"}", PartStore.escape("{\"d\":\"line\\nnext \\\"q\\\"\"}"));
        assertEquals("\\\\N", PartStore.escape("\\N"), "a literal backslash-N is not read as null");
    }
}
