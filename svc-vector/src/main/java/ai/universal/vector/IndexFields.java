package ai.universal.vector;

/**
 * Names of the Lucene fields every point document has. Payload fields have their own prefixes (see PayloadFields).
 */
final class IndexFields {

    /** Unique per point and tenant: the upsert/delete term. */
    static final String UID = "_uid";
    /** Sortable point key (PointId.key()), stored and with sorted doc values for scroll order. */
    static final String KEY = "_key";
    /** Tenant of a point in a multi-tenant collection. */
    static final String TENANT = "_tenant";
    /** The vector. */
    static final String VECTOR = "_vec";
    /** Stored payload JSON. */
    static final String PAYLOAD = "_payload";
    /** BM25 text of the collection's text field. */
    static final String TEXT = "_text";

    private IndexFields() {
    }
}
