package attendance.tools;

import de.bwaldvogel.mongo.bson.Document;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable before acknowledged, for the H2 file backend. mongo-java-server opens its MVStore with
 * H2's defaults: a background thread commits about once a second, so a crash lost every write of
 * the last second that had already been answered "ok". Here the store never commits on its own
 * (auto-commit and its memory trigger are off); instead every command that changes data is
 * committed and fsync'ed before its reply is sent. Concurrent writers share one commit and one
 * fsync (group commit): an fsync takes milliseconds, and one per write would cap throughput at
 * the disk's fsync rate even with many clients.
 *
 * Nothing half-written: a commit could otherwise capture another command half-way (a document
 * stored but not yet its unique-index entry). Write commands therefore run under the shared side
 * of a lock and commits take its exclusive side, so a commit holds only whole commands. MVStore
 * is copy-on-write: a crash during a commit leaves the previous commit readable (the chunk being
 * written fails its checksum and is ignored on open).
 */
final class DurableCommits {
    private static final Logger log = LoggerFactory.getLogger(DurableCommits.class);

    /** Commands (lower case) that change data or metadata; reads are left alone and never wait. */
    private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify", "create",
        "createindexes", "drop", "dropindexes", "dropdatabase", "renamecollection");
    /**
     * H2's background thread (off, with auto-commit) also moved live data out of sparse chunks;
     * without that the file keeps chunks holding little live data. Done here between commits.
     */
    private static final long COMPACT_EVERY_MS = 10_000;

    private final MVStore store;
    private final ReentrantReadWriteLock commands = new ReentrantReadWriteLock();
    private final Thread compactor;
    private volatile boolean closing;

    /** Group commit: writes numbered as they finish; the highest number known to be on disk. */
    private final ReentrantLock group = new ReentrantLock();
    private final Condition flushed = group.newCondition();
    private long finished;
    private long durable;
    private boolean flushing;

    /** Opens the file without H2's background auto-commit (see the class comment). */
    static MVStore open(String fileName) {
        return new MVStore.Builder().fileName(fileName).autoCommitDisabled().autoCommitBufferSize(0).open();
    }

    DurableCommits(MVStore store) {
        this.store = store;
        this.compactor = new Thread(this::compactPeriodically, "standin-compact");
        compactor.setDaemon(true);
        compactor.start();
    }

    /** Runs one command; when it may have changed data, commits and syncs before returning. */
    <T> T run(String command, Document query, Supplier<T> handler) {
        // A nested call (never seen, but a lock upgrade would deadlock) is covered by the outer one.
        if (!isWrite(command, query) || commands.getReadHoldCount() > 0) {
            return handler.get();
        }
        commands.readLock().lock();
        try {
            return handler.get();
        } finally {
            // Also after a failed command: an insertMany refused half-way keeps what it inserted.
            commands.readLock().unlock();
            awaitDurable();
        }
    }

    /**
     * Returns once this thread's finished write is on disk. The first writer to arrive commits and
     * syncs everything finished so far; those finishing meanwhile wait and go in the next round.
     */
    private void awaitDurable() {
        group.lock();
        try {
            long mine = ++finished;
            while (durable < mine) {
                if (flushing) {
                    flushed.awaitUninterruptibly();
                    continue;
                }
                flushing = true;
                long upTo = finished; // each of these had finished its command: the commit holds it
                boolean ok = false;
                group.unlock();
                try {
                    commitAndSync();
                    ok = true;
                } finally {
                    group.lock();
                    flushing = false;
                    if (ok) {
                        durable = Math.max(durable, upTo);
                    }
                    flushed.signalAll();
                }
            }
        } finally {
            group.unlock();
        }
    }

    void commitAndSync() {
        try {
            commands.writeLock().lock();
            try {
                store.commit();
            } finally {
                commands.writeLock().unlock();
            }
            store.sync();
        } catch (RuntimeException e) {
            if (closing) {
                throw e; // the store was closed under a last command while the server stops
            }
            // A failed write or fsync leaves the file in an unknown state (and MVStore closes itself):
            // stop at once, unanswered, so the supervisor restarts on the last durable commit.
            log.error("Could not commit the H2 store to disk; stopping so it is reopened from its last commit", e);
            Runtime.getRuntime().halt(70);
        }
    }

    void close() {
        closing = true;
        compactor.interrupt();
    }

    private static boolean isWrite(String command, Document query) {
        String name = command.toLowerCase(Locale.ROOT);
        if (WRITES.contains(name)) {
            return true;
        }
        // An aggregation writes only through $out or $merge.
        return name.equals("aggregate") && query.get("pipeline") instanceof List<?> stages
            && stages.stream().anyMatch(s -> s instanceof Document d && (d.containsKey("$out") || d.containsKey("$merge")));
    }

    private void compactPeriodically() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(COMPACT_EVERY_MS);
                boolean rewrote;
                commands.writeLock().lock();
                try {
                    // Rewrites the live pages of chunks under half full, at most 1 MB per round.
                    rewrote = !closing && store.compact(50, 1 << 20);
                } finally {
                    commands.writeLock().unlock();
                }
                if (rewrote) {
                    commitAndSync();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closing) {
                    return;
                }
                log.error("Compacting the H2 store failed", e);
            }
        }
    }
}
