package ai.universal.ml;

/** Cosine similarity of two vectors of the same length. */
public final class Cosine {

    private Cosine() {
    }

    /**
     * Cosine of the angle between two vectors, in [-1, 1]; 0 when either is all zeros.
     *
     * @param a a vector
     * @param b a vector of the same length
     * @return the cosine
     */
    public static double similarity(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector lengths differ: " + a.length + " vs " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        if (na == 0 || nb == 0) {
            return 0;
        }
        return dot / Math.sqrt(na * nb);
    }
}
