package dev.batchwise.llm;

/** The LLM providers Batchwise talks to, with the limits of their Batch APIs. */
public enum Provider {
    ANTHROPIC("anthropic", 100_000, 256L * 1024 * 1024),
    OPENAI("openai", 50_000, 200L * 1024 * 1024);

    /** The largest request count any provider accepts in one batch. */
    public static final int LARGEST_BATCH_LIMIT = 100_000;

    private final String wireName;
    private final int maxRequestsPerBatch;
    private final long maxBatchBytes;

    Provider(String wireName, int maxRequestsPerBatch, long maxBatchBytes) {
        this.wireName = wireName;
        this.maxRequestsPerBatch = maxRequestsPerBatch;
        this.maxBatchBytes = maxBatchBytes;
    }

    /** The lower-case name used in configuration, URLs and JSON. */
    public String wireName() {
        return wireName;
    }

    /** Requests per batch the provider accepts (Anthropic 100,000; OpenAI 50,000 lines). */
    public int maxRequestsPerBatch() {
        return maxRequestsPerBatch;
    }

    /** Bytes per batch the provider accepts (Anthropic 256 MB body; OpenAI 200 MB input file). */
    public long maxBatchBytes() {
        return maxBatchBytes;
    }
}
