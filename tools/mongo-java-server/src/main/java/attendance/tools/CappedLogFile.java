package attendance.tools;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The stand-in's log file. Written by the server itself (a file never blocks the way a pipe does
 * when the parent process stops reading it) and size-capped: past maxBytes the file is renamed to
 * "<name>.1" (replacing the previous one) and a new one started, so at most twice maxBytes is kept.
 * Unbuffered, one write per record: what was logged before a crash is in the file.
 */
final class CappedLogFile {
    private final Path path;
    private final long maxBytes;
    private OutputStream out;
    private long size;

    /** path null: write to stderr (a launcher started by hand). */
    CappedLogFile(Path path, long maxBytes) {
        this.path = path;
        this.maxBytes = maxBytes;
    }

    synchronized void write(String record) {
        byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
        if (path == null) {
            System.err.write(bytes, 0, bytes.length);
            System.err.flush();
            return;
        }
        try {
            if (out == null) {
                open();
            }
            if (size > 0 && size + bytes.length > maxBytes) {
                rotate();
            }
            out.write(bytes);
            size += bytes.length;
        } catch (IOException e) {
            // A log that cannot be written (disk full) must never stop the database; retry next time.
            closeQuietly();
        }
    }

    private void open() throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        out = new FileOutputStream(path.toFile(), true); // O_APPEND, shared safely with our stderr
        size = Files.size(path);
    }

    private void rotate() throws IOException {
        closeQuietly();
        Files.move(path, path.resolveSibling(path.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private void closeQuietly() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException ignored) {
            // nothing more to do with a stream that failed
        } finally {
            out = null;
        }
    }
}
