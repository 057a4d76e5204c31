package attendance.tools;

import de.bwaldvogel.mongo.backend.AbstractMongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;
import java.lang.reflect.Field;
import java.util.List;

/**
 * mongo-java-server 1.47.0 uses a unique index (the _id index included) only when a filter has
 * exactly that index's fields: `{_id: x, courseId: c}`, the tool's usual scoped look-up, scanned
 * the whole collection, where MongoDB uses the _id index and checks courseId on the one document.
 * This finds a unique index whose fields the filter all names (with values the index can
 * answer), so the caller asks the index for the candidates and then matches each candidate
 * against the whole filter: the same documents, without the scan.
 */
final class KeyedIndexLookup {
    private KeyedIndexLookup() {
    }

    private static final Field INDEXES;

    static {
        try {
            INDEXES = AbstractMongoCollection.class.getDeclaredField("indexes");
            INDEXES.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("mongo-java-server changed: AbstractMongoCollection.indexes not found", e);
        }
    }

    /** The index and the part of the filter it answers, or null (then the library's own choice applies). */
    static <P> Narrowed<P> find(AbstractMongoCollection<P> collection, Document query) {
        List<Index<P>> indexes = indexesOf(collection);
        for (Index<P> index : indexes) {
            if (index.canHandle(query)) return null; // the library uses it as it is
        }
        for (Index<P> index : indexes) {
            if (!index.isUnique()) continue;
            Document part = new Document();
            for (IndexKey key : index.getKeys()) {
                String field = key.getKey();
                if (!query.containsKey(field)) {
                    part = null;
                    break;
                }
                part.put(field, query.get(field));
            }
            if (part != null && part.size() < query.size() && index.canHandle(part)) return new Narrowed<>(index, part);
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static <P> List<Index<P>> indexesOf(AbstractMongoCollection<P> collection) {
        try {
            return (List<Index<P>>) INDEXES.get(collection);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class Narrowed<P> {
        final Index<P> index;
        final Document part;

        Narrowed(Index<P> index, Document part) {
            this.index = index;
            this.part = part;
        }
    }
}
