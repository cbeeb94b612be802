package dev.batchwise.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the JSON value of a consumed Kafka record into an event record and validates it. Consumers take the raw
 * value, or a deserializer of their own that hands a failure on instead of throwing it ({@code atoms.inferred}), so
 * that every failure, from "not JSON" to "runId is missing", surfaces as an {@link InvalidRecordException} that names
 * it, and the record goes to its dead-letter topic.
 */
@ApplicationScoped
public class JsonRecords {

    private final ObjectMapper mapper;
    private final Validator validator;

    JsonRecords(ObjectMapper mapper, Validator validator) {
        this.mapper = mapper;
        this.validator = validator;
    }

    /** Parses a record value into a JSON object tree. */
    public JsonNode tree(String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidRecordException("record value is empty");
        }
        return object(() -> mapper.readTree(value));
    }

    /** Parses a value given as UTF-8 bytes (a request body) into a JSON object tree. */
    public JsonNode tree(byte[] value) {
        if (value == null || value.length == 0) {
            throw new InvalidRecordException("record value is empty");
        }
        return object(() -> mapper.readTree(value));
    }

    private interface Parse {
        JsonNode run() throws java.io.IOException;
    }

    /** The parsed tree if it is a JSON object; anything else is an invalid record, named. */
    private static JsonNode object(Parse parse) {
        JsonNode tree;
        try {
            tree = parse.run();
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("record value is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidRecordException("record value is not a JSON object");
        }
        return tree;
    }

    /** Maps a JSON tree onto an event record and checks its constraints. */
    public <T> T read(JsonNode tree, Class<T> type) {
        T event;
        try {
            event = mapper.treeToValue(tree, type);
        } catch (MismatchedInputException e) {
            throw new InvalidRecordException(path(e) + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("record does not match " + type.getSimpleName() + ": "
                    + e.getOriginalMessage());
        }
        if (event instanceof PlainlyValid checked && checked.plainlyValid()) {
            return event;
        }
        Set<ConstraintViolation<T>> violations = validator.validate(event);
        if (!violations.isEmpty()) {
            throw new InvalidRecordException(violations.stream()
                    .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                    .map(v -> v.getPropertyPath() + " " + v.getMessage())
                    .collect(Collectors.joining("; ")));
        }
        return event;
    }

    /** Parses and validates in one go. */
    public <T> T read(String value, Class<T> type) {
        return read(tree(value), type);
    }

    private static String path(MismatchedInputException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "record" : path.toString();
    }
}
