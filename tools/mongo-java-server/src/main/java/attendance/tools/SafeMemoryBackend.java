package attendance.tools;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;

/**
 * The in-memory backend (tests), with index changes under the collection's lock (IndexLocking)
 * and scoped look-ups answered from a unique index (KeyedIndexLookup).
 */
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

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new Collection(this, collectionName, options, cursorRegistry);
        }
    }

    private static final class Collection extends MemoryCollection {
        Collection(MongoDatabase database, String collectionName, CollectionOptions options, CursorRegistry cursorRegistry) {
            super(database, collectionName, options, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
            KeyedIndexLookup.Narrowed<Integer> narrowed = KeyedIndexLookup.find(this, query);
            if (narrowed == null) return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            return matchDocuments(query, narrowed.index.getPositions(narrowed.part), orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
    }
}
