package dev.batchwise.simulator;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts bytes as they are read and stops at a limit, so an oversized body is refused while streaming. */
final class LimitedInputStream extends FilterInputStream {

    static final class TooLargeException extends IOException {
        TooLargeException() {
            super("body larger than the limit", null);
        }
    }

    private final long limit;
    private long count;

    LimitedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(long n) throws IOException {
        count += n;
        if (count > limit) {
            throw new TooLargeException();
        }
    }
}
