package attendance.tools;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import org.h2.mvstore.MVStore;

/** The H2 file backend (persistent default), with index changes under the collection's lock (IndexLocking). */
final class SafeH2Backend extends H2Backend {
    SafeH2Backend(String fileName) {
        super(fileName);
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
