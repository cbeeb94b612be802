package dev.batchwise.simulator;

/** A provider error answer: HTTP status, the provider's error type and message (and code, for OpenAI). */
class SimulatorException extends RuntimeException {

    final int status;
    final String type;
    final String code;

    SimulatorException(int status, String type, String message) {
        this(status, type, null, message);
    }

    SimulatorException(int status, String type, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
    }
}
