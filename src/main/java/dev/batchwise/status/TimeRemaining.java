package dev.batchwise.status;

import java.time.Duration;
import java.util.Optional;

/** Time remaining as people read it ({@code ~12 minutes}), or {@code unknown} when there is no basis for it. */
public final class TimeRemaining {

    public static final String UNKNOWN = "unknown";

    private TimeRemaining() {
    }

    public static String describe(Optional<Duration> remaining) {
        if (remaining.isEmpty()) {
            return UNKNOWN;
        }
        long seconds = remaining.get().toSeconds();
        if (seconds < 60) {
            return "under a minute";
        }
        long minutes = Math.round(seconds / 60.0);
        if (minutes < 90) {
            return minutes == 1 ? "~1 minute" : "~" + minutes + " minutes";
        }
        long hours = Math.round(seconds / 3600.0);
        return hours == 1 ? "~1 hour" : "~" + hours + " hours";
    }
}
