package dev.batchwise.cost;

import java.util.Locale;

/** Where an answer came from, and so the price it was billed at: a provider batch or a real-time call. */
public enum Mode {
    BATCH, REALTIME;

    /** The key in JSON ({@code byMode}) and the metrics' {@code mode} label. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
