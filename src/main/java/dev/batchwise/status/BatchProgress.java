package dev.batchwise.status;

import jakarta.validation.constraints.PositiveOrZero;

/** How far the atoms of a run have got: sent for scoring, scored, and given up on. */
public record BatchProgress(@PositiveOrZero int submitted, @PositiveOrZero int completed, @PositiveOrZero int failed) {

    public static final BatchProgress NONE = new BatchProgress(0, 0, 0);
}
