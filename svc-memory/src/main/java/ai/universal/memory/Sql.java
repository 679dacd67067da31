package ai.universal.memory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL text with its parameters, built together so a value never lands in the text: every value is a {@code ?}.
 */
final class Sql {
    private final StringBuilder text = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    Sql append(String sql) {
        text.append(sql);
        return this;
    }

    /**
     * Append SQL holding one {@code ?} per value.
     *
     * @param sql    text
     * @param values values in order
     * @return this
     */
    Sql append(String sql, Object... values) {
        text.append(sql);
        params.addAll(List.of(values));
        return this;
    }

    Sql append(Sql other) {
        text.append(other.text);
        params.addAll(other.params);
        return this;
    }

    String text() {
        return text.toString();
    }

    PreparedStatement prepare(Connection c) throws SQLException {
        PreparedStatement ps = c.prepareStatement(text.toString());
        bind(c, ps, params);
        return ps;
    }

    static void bind(Connection c, PreparedStatement ps, List<Object> values) throws SQLException {
        int i = 1;
        for (Object v : values) {
            switch (v) {
                case null -> ps.setObject(i, null);
                case Instant t -> ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
                case UUID u -> ps.setObject(i, u);
                case String[] a -> ps.setArray(i, c.createArrayOf("text", a));
                case UUID[] a -> ps.setArray(i, c.createArrayOf("uuid", a));
                case byte[] b -> ps.setBytes(i, b);
                default -> ps.setObject(i, v);
            }
            i++;
        }
    }
}
