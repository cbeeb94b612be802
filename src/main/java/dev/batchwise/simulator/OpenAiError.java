package dev.batchwise.simulator;

/**
 * An OpenAI error answer. OpenAI's error object also names the offending parameter ({@code param}), which
 * {@link SimulatorException} has no room for.
 */
final class OpenAiError extends SimulatorException {

    final String param;

    OpenAiError(int status, String type, String code, String param, String message) {
        super(status, type, code, message);
        this.param = param;
    }

    static OpenAiError invalid(String message, String param, String code) {
        return new OpenAiError(400, "invalid_request_error", code, param, message);
    }

    static OpenAiError invalid(OpenAiWire.ErrorObject error) {
        return new OpenAiError(400, error.type(), error.code(), error.param(), error.message());
    }

    /** The real API's 404s carry type invalid_request_error and no code. */
    static OpenAiError notFound(String message) {
        return new OpenAiError(404, "invalid_request_error", null, null, message);
    }

    static OpenAiWire.ErrorBody body(SimulatorException e) {
        String param = e instanceof OpenAiError openAi ? openAi.param : null;
        return new OpenAiWire.ErrorBody(new OpenAiWire.ErrorObject(e.getMessage(), e.type, param, e.code));
    }
}
