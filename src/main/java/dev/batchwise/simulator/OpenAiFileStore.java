package dev.batchwise.simulator;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Uploaded OpenAI files, kept on disk in a temporary directory of the simulator (a batch input file may be
 * 200 MB; it never sits in memory). Output and error files are not stored: they are generated from the batch.
 */
@ApplicationScoped
class OpenAiFileStore {

    /** One uploaded file; times in epoch seconds, as the API shows them. */
    record StoredFile(String id, String filename, String purpose, long bytes, long createdAt, Long expiresAt,
                      Path path) {

        OpenAiWire.FileObject toWire() {
            return new OpenAiWire.FileObject(id, "file", bytes, createdAt, expiresAt, filename, purpose, "processed");
        }
    }

    /** Limits checked while the upload is copied in; 0 means none. */
    record Limits(long maxBytes, int maxLines) {
    }

    private final Map<String, StoredFile> files = new ConcurrentHashMap<>();
    private volatile Path directory;

    /**
     * Copies an upload into the store, counting bytes and non-blank lines as it goes, and refuses it (keeping
     * nothing) as soon as a limit is passed.
     */
    StoredFile save(InputStream in, String filename, String purpose, Limits limits, Long expiresAt,
                    long createdAt) throws IOException {
        String id = SimulatorIds.next("file-");
        Path path = directory().resolve(id);
        long bytes = 0;
        int lines = 0;
        boolean lineHasContent = false;
        try (OutputStream out = Files.newOutputStream(path)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes += n;
                if (limits.maxBytes() > 0 && bytes > limits.maxBytes()) {
                    throw tooLarge(limits.maxBytes());
                }
                if (limits.maxLines() > 0) {
                    for (int i = 0; i < n; i++) {
                        byte b = buffer[i];
                        if (b == '\n') {
                            lines += lineHasContent ? 1 : 0;
                            lineHasContent = false;
                        } else if (b != '\r' && b != ' ' && b != '\t') {
                            lineHasContent = true;
                        }
                    }
                    if (lines + (lineHasContent ? 1 : 0) > limits.maxLines()) {
                        throw tooManyLines(limits.maxLines());
                    }
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
        StoredFile file = new StoredFile(id, filename, purpose, bytes, createdAt, expiresAt, path);
        files.put(id, file);
        return file;
    }

    // UNCONFIRMED: the real API's wording and code for an oversized batch file; ours names the limit
    private static OpenAiError tooLarge(long maxBytes) {
        return OpenAiError.invalid("File is too large: a batch input file may be at most " + maxBytes
                + " bytes (the real API allows 200 MB).", "file", null);
    }

    private static OpenAiError tooManyLines(int maxLines) {
        return OpenAiError.invalid("Too many requests: a batch input file may contain at most " + maxLines
                + " requests (lines).", "file", null);
    }

    /** The file, or null. */
    StoredFile get(String id) {
        return files.get(id);
    }

    boolean delete(String id) throws IOException {
        StoredFile file = files.remove(id);
        if (file == null) {
            return false;
        }
        Files.deleteIfExists(file.path());
        return true;
    }

    private Path directory() throws IOException {
        Path dir = directory;
        if (dir == null) {
            synchronized (this) {
                dir = directory;
                if (dir == null) {
                    dir = Files.createTempDirectory("batchwise-openai-sim-");
                    directory = dir;
                }
            }
        }
        return dir;
    }

    @PreDestroy
    void deleteAll() {
        Path dir = directory;
        if (dir == null) {
            return;
        }
        files.clear();
        try (Stream<Path> paths = Files.list(dir)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.deleteIfExists(path);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the simulator's file directory " + dir, e);
        }
    }
}
