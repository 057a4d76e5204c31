package attendance.tools;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import org.h2.mvstore.MVStore;

/**
 * The H2 file backend (persistent default): every write is on disk before it is answered
 * (DurableCommits), and index changes run under the collection's lock (IndexLocking).
 */
final class SafeH2Backend extends H2Backend {
    private final DurableCommits commits;

    SafeH2Backend(String fileName) {
        this(DurableCommits.open(fileName));
    }

    private SafeH2Backend(MVStore store) {
        super(store);
        commits = new DurableCommits(store);
        commits.commitAndSync(); // whatever opening the existing databases changed
    }

    /** Every OP_MSG and OP_QUERY command (so every write) of any client comes through here. */
    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        return commits.run(command, query, () -> super.handleCommand(channel, databaseName, command, query));
    }

    @Override
    public void close() {
        commits.close();
        super.close();
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getMvStore(), getCursorRegistry());
    }

    private static final class Database extends H2Database {
        Database(String databaseName, MVStore mvStore, CursorRegistry cursorRegistry) {
            super(databaseName, mvStore, cursorRegistry);
        }

        @Override
        protected void addIndex(Document indexDescription) {
            IndexLocking.underCollectionLock(indexDescription, this::resolveOrCreateCollection,
                () -> super.addIndex(indexDescription));
        }

        @Override
        protected void dropIndex(MongoCollection<Object> collection, String indexName) {
            IndexLocking.underCollectionLock(collection, () -> super.dropIndex(collection, indexName));
        }
    }
}
