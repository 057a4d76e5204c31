package attendance.tools;

import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoSilentServerException;
import java.io.IOException;
import java.util.Set;
import org.slf4j.event.Level;

/**
 * Which of mongo-java-server's errors are routine. It logs every refused command at ERROR with a
 * stack trace, including answers the client expects and handles: a createCollection that lost a
 * race ("Collection already exists"), a duplicate createIndex, E11000 from an idempotent upsert or
 * a lease, a client that hung up. Those become DEBUG (not written at the default level). Anything
 * else (a command the stand-in cannot do, an internal "Unknown error") stays ERROR with its stack.
 */
final class LogPolicy {
    /** NamespaceNotFound, IndexNotFound, CursorNotFound, NamespaceExists, IndexOptionsConflict,
     *  IndexKeySpecsConflict, DuplicateKey. */
    private static final Set<Integer> ROUTINE_CODES = Set.of(26, 27, 43, 48, 85, 86, 11000);

    private LogPolicy() {
    }

    static Level levelFor(Level level, Throwable thrown) {
        return level == Level.ERROR && isRoutine(thrown) ? Level.DEBUG : level;
    }

    private static boolean isRoutine(Throwable thrown) {
        if (thrown instanceof MongoServerError error) {
            return ROUTINE_CODES.contains(error.getCode());
        }
        // "ns not found" of a drop; and a client's connection reset or closed under a reply (only
        // the network layer throws IOException: H2's own I/O errors arrive as MVStoreException).
        return thrown instanceof MongoSilentServerException || thrown instanceof IOException;
    }
}
