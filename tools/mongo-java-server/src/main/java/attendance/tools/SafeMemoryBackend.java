package attendance.tools;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;

/** The in-memory backend (tests), with index changes under the collection's lock (IndexLocking). */
final class SafeMemoryBackend extends MemoryBackend {
    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getCursorRegistry());
    }

    private static final class Database extends MemoryDatabase {
        Database(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
        }

        @Override
        protected void addIndex(Document indexDescription) {
            IndexLocking.underCollectionLock(indexDescription, this::resolveOrCreateCollection,
                () -> super.addIndex(indexDescription));
        }

        @Override
        protected void dropIndex(MongoCollection<Integer> collection, String indexName) {
            IndexLocking.underCollectionLock(collection, () -> super.dropIndex(collection, indexName));
        }
    }
}
