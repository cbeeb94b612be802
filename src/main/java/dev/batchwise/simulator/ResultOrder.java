package dev.batchwise.simulator;

/**
 * The order in which results are written: every line once, but never in submission order once there are two
 * or more, because neither provider guarantees an order (provider-apis.md, Corrections 6) and clients must
 * match results by custom_id.
 */
final class ResultOrder {

    private ResultOrder() {
    }

    /** A step coprime with n: walking {@code j * step mod n} visits every index once, out of order. */
    static int step(int n) {
        int step = Math.max(1, (int) (n * 0.618));
        while (gcd(step, n) != 1) {
            step++;
        }
        return step;
    }

    /**
     * The index written at position j. The walk starts half-way ({@code n / 2}, not 0 for n >= 2), so even a
     * step of 1 (n <= 3) does not give the submission order.
     */
    static int index(int j, int n, int step) {
        return (int) (((long) j * step + n / 2) % n);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
