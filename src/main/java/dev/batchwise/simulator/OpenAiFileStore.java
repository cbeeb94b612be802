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

    /** One uploaded file; times in epoch seconds, as the API shows them; {@code lines} counts non-blank lines. */
    record StoredFile(String id, String filename, String purpose, long bytes, long lines, long createdAt,
                      Long expiresAt, Path path) {

        OpenAiWire.FileObject toWire() {
            return new OpenAiWire.FileObject(id, "file", bytes, createdAt, expiresAt, filename, purpose, "processed");
        }
    }

    private final Map<String, StoredFile> files = new ConcurrentHashMap<>();
    private volatile Path directory;

    /**
     * Copies an upload into the store, counting bytes and non-blank lines as it goes, and refuses it (keeping
     * nothing) as soon as it passes {@code maxBytes}. The number of lines is no upload limit: a batch input
     * file of more than 50,000 lines fails the batch in validating (provider-apis.md, Corrections 4).
     */
    StoredFile save(InputStream in, String filename, String purpose, long maxBytes, Long expiresAt,
                    long createdAt) throws IOException {
        String id = SimulatorIds.next("file-");
        Path path = directory().resolve(id);
        long bytes = 0;
        long lines = 0;
        boolean lineHasContent = false;
        try (OutputStream out = Files.newOutputStream(path)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes += n;
                if (bytes > maxBytes) {
                    throw tooLarge();
                }
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        lines += lineHasContent ? 1 : 0;
                        lineHasContent = false;
                    } else if (b != '\r' && b != ' ' && b != '\t') {
                        lineHasContent = true;
                    }
                }
                out.write(buffer, 0, n);
            }
            lines += lineHasContent ? 1 : 0;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
        StoredFile file = new StoredFile(id, filename, purpose, bytes, lines, createdAt, expiresAt, path);
        files.put(id, file);
        return file;
    }

    /** The real API's answer (provider-apis.md, Corrections 4): 400, this message, param null; code UNCONFIRMED. */
    private static OpenAiError tooLarge() {
        return OpenAiError.invalid("File is too large.", null, null);
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
