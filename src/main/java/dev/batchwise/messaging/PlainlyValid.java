package dev.batchwise.messaging;

/**
 * An event whose constraints can be checked without the validator: {@link JsonRecords#read} skips the validator
 * for one that says it is plainly valid, and asks it (for the reason, named by field) otherwise. For records with
 * thousands of nested entries, where Hibernate Validator's work per entry (about 2.5 microseconds: paths, contexts)
 * was the largest part of reading a record. {@link #plainlyValid()} must accept exactly what the constraints do,
 * and a test of the implementing record holds the two together.
 */
public interface PlainlyValid {

    /** True when every constraint holds; false when any may not, and the validator is to say which. */
    boolean plainlyValid();
}
