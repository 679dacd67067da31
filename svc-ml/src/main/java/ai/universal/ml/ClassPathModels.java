package ai.universal.ml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Opens model files that ship as resources inside dependency jars. */
final class ClassPathModels {

    private ClassPathModels() {
    }

    @FunctionalInterface
    interface ModelReader<T> {
        T read(InputStream in) throws IOException;
    }

    static <T> T read(String resource, ModelReader<T> reader) {
        try (InputStream in = ClassPathModels.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("class-path resource " + resource
                                                        + " not found (is the model jar a dependency?)");
            }
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + resource, e);
        }
    }
}
