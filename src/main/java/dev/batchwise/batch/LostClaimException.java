package dev.batchwise.batch;

import java.util.UUID;

/** A worker's claim on a job is gone (its lease ran out and another instance took over): it stops, writing nothing. */
class LostClaimException extends RuntimeException {

    LostClaimException(UUID jobId) {
        super("the claim on job " + jobId + " was lost to another worker", null, false, false);
    }
}
