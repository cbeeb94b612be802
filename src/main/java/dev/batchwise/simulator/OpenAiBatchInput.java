package dev.batchwise.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a batch input file line by line (never whole) into compact {@link OpenAiBatch.Item}s, and finds what
 * fails a batch in {@code validating}: a line that is not JSON, a wrong method or url, a duplicate custom_id,
 * a second model. A body the endpoint itself would reject (no model, no messages) does not fail the batch; it
 * becomes a 400 line in the error file, as it would when the request is run.
 *
 * <p>Error codes: {@code invalid_json_line}, {@code duplicate_custom_id}, {@code url_mismatch},
 * {@code model_mismatch} and {@code empty_file} are the documented ones as a third party lists them
 * (stdapi-ai/stdapi.ai#240); the messages, {@code missing_required_parameter} and {@code invalid_method} are
 * UNCONFIRMED choices.
 */
final class OpenAiBatchInput {

    /** What a file holds: the requests, or (non-empty errors) why the batch fails. */
    record Parsed(List<OpenAiBatch.Item> items, List<OpenAiWire.BatchError> errors, String model, int lines) {
    }

    /** UNCONFIRMED: how many errors the real API reports at most; enough to fix a file in one go. */
    static final int MAX_ERRORS = 100;

    /** One JSON value per line: {@code {...} garbage} is not a valid line. */
    private final ObjectReader reader;
    private final SimulatorSettings settings;
    private final String endpoint;
    private final List<OpenAiBatch.Item> items = new ArrayList<>();
    private final List<OpenAiWire.BatchError> errors = new ArrayList<>();
    private final Set<String> customIds = new HashSet<>();
    private String model;

    private OpenAiBatchInput(ObjectMapper mapper, SimulatorSettings settings, String endpoint) {
        this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.settings = settings;
        this.endpoint = endpoint;
    }

    static Parsed read(Path file, String endpoint, ObjectMapper mapper, SimulatorSettings settings)
            throws IOException {
        OpenAiBatchInput input = new OpenAiBatchInput(mapper, settings, endpoint);
        int lineNumber = 0;
        int requests = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue; // UNCONFIRMED: blank lines (a trailing newline, say) are skipped, not errors
                }
                requests++;
                input.line(line, lineNumber);
            }
        }
        if (requests == 0) {
            input.error("empty_file", "The batch input file is empty.", null, null);
        }
        return new Parsed(input.items, input.errors, input.model, requests);
    }

    /**
     * A file of more than {@code max} requests: accepted at upload, it fails the batch in validating with
     * {@code too_many_tasks} (provider-apis.md, Corrections 4), and none of its lines is read. The message is
     * UNCONFIRMED.
     */
    static Parsed tooManyTasks(long lines, int max) {
        OpenAiWire.BatchError error = new OpenAiWire.BatchError("too_many_tasks", "The batch input file contains "
                + lines + " requests; a batch may contain at most " + max + ".", null, null);
        return new Parsed(List.of(), List.of(error), null, (int) Math.min(Integer.MAX_VALUE, lines));
    }

    private void line(String line, int number) {
        JsonNode request;
        try {
            request = reader.readTree(line);
        } catch (JsonProcessingException e) {
            request = null;
        }
        if (request == null || !request.isObject()) {
            error("invalid_json_line", "This line is not parseable as valid JSON.", null, number);
            return;
        }
        JsonNode customId = request.get("custom_id");
        if (customId == null || !customId.isTextual() || customId.asText().isEmpty()) {
            error("missing_required_parameter", "Missing required parameter: 'custom_id'.", "custom_id", number);
            return;
        }
        if (!"POST".equals(request.path("method").asText(null))) {
            error("invalid_method", "The method of a batch request must be 'POST'.", "method", number);
            return;
        }
        if (!endpoint.equals(request.path("url").asText(null))) {
            error("url_mismatch", "The URL provided for this request does not match the batch endpoint ("
                    + endpoint + ").", "url", number);
            return;
        }
        if (!customIds.add(customId.asText())) {
            error("duplicate_custom_id", "The custom_id for this request is a duplicate of another request. The"
                    + " custom_id parameter must be unique for each request in a batch.", "custom_id", number);
            return;
        }
        JsonNode body = request.get("body");
        if (body == null || !body.isObject()) {
            error("missing_required_parameter", "Missing required parameter: 'body'.", "body", number);
            return;
        }
        OpenAiPrompt prompt = OpenAiPrompt.parse(body);
        if (prompt.invalid() == null) {
            // UNCONFIRMED (widely stated): one model per input file
            if (model == null) {
                model = prompt.model();
            } else if (!model.equals(prompt.model())) {
                error("model_mismatch", "The model for this request (" + prompt.model() + ") does not match the"
                        + " model of the other requests in the file (" + model + ").", "body.model", number);
                return;
            }
        }
        if (errors.isEmpty()) {
            items.add(item(customId.asText(), prompt));
        }
    }

    private OpenAiBatch.Item item(String customId, OpenAiPrompt prompt) {
        if (prompt.invalid() != null) {
            return new OpenAiBatch.Item(customId, null, 0, SimulatedModel.Kind.PLAIN, 0, 0, 0, 0, 0, 0, prompt.invalid(), false);
        }
        long hash = prompt.hash(settings.seed());
        SimulatedModel.Kind kind = prompt.kind();
        SimulatedModel.Answer answer = SimulatedModel.answer(hash, kind, prompt.maxTokens(), settings);
        boolean injected = SimulatedModel.unit(hash, 20) < settings.itemErrorRate();
        return new OpenAiBatch.Item(customId, prompt.model(), hash, kind, prompt.promptTokens(), 0,
                prompt.maxTokens(), answer.outputTokens(), prompt.prefixHash(), prompt.prefixTokens(), null, injected);
    }

    private void error(String code, String message, String param, Integer line) {
        if (errors.size() < MAX_ERRORS) {
            errors.add(new OpenAiWire.BatchError(code, message, param, line));
        }
        items.clear(); // a failed batch runs nothing; no need to keep its requests
    }
}
