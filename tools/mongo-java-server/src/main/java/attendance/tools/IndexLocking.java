package attendance.tools;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.bson.Document;
import java.util.function.Function;

/**
 * mongo-java-server 1.47.0 adds and drops a collection's indexes without holding the collection's
 * lock, while queries, updates and deletes iterate the same index list under that lock. A
 * createIndex racing a delete on the same collection then fails the delete with a
 * ConcurrentModificationException ("Unknown error" on the wire) — seen when ltijs creates its
 * indexes at start-up while it also cleans up nonces. Index changes here run under the
 * collection's lock. Lock order: the collection, then the database. The library itself never
 * waits for a user collection's lock while holding the database's (under the database lock it
 * only touches its system.indexes and system.namespaces collections), so this cannot deadlock.
 */
final class IndexLocking {
    private IndexLocking() {
    }

    /** Runs an index change while holding the lock of the collection named by the index's "ns". */
    static <P> void underCollectionLock(Document indexDescription, Function<String, MongoCollection<P>> resolveOrCreate,
                                        Runnable change) {
        Object ns = indexDescription.get("ns");
        if (!(ns instanceof String) || ((String) ns).indexOf('.') < 0) {
            change.run();
            return;
        }
        String namespace = (String) ns;
        MongoCollection<P> collection = resolveOrCreate.apply(namespace.substring(namespace.indexOf('.') + 1));
        synchronized (collection) {
            change.run();
        }
    }

    static <P> void underCollectionLock(MongoCollection<P> collection, Runnable change) {
        synchronized (collection) {
            change.run();
        }
    }
}
