package ai.universal.chat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

/**
 * Queries over the completion records.
 * <ul>
 *     <li>usage: requests, errors, tokens and mean latency per user, model and UTC day</li>
 *     <li>parameters: requests, error rate, latency (mean, p50, p95), time to first token and tokens per model and
 *     parameter bucket — temperature in steps of 0.25, top_p in steps of 0.1, max_tokens in ranges (≤256, ≤1024,
 *     ≤4096, &gt;4096), each with an {@code unset} bucket for requests that left it at the default</li>
 * </ul>
 */
final class Analytics {

    /**
     * A filter.
     *
     * @param user  only this user (null = all)
     * @param model only this model (null = all)
     * @param from  from (inclusive)
     * @param to    to (exclusive)
     */
    record Filter(String user, String model, Instant from, Instant to) {
    }

    private final DataSource db;

    Analytics(DataSource db) {
        this.db = db;
    }

    List<Map<String, Object>> usage(Filter f) {
        return query("SELECT user_id AS \"user\", model, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, "
                             + "count(*) AS requests, count(*) FILTER (WHERE outcome <> 'ok') AS errors, "
                             + "sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens, "
                             + "sum(prompt_tokens + completion_tokens) AS total_tokens, "
                             + "round(avg(latency_ms)::numeric, 2) AS avg_latency_ms "
                             + "FROM completions WHERE " + WHERE
                             + " GROUP BY 1, 2, 3 ORDER BY 3 DESC, 1, 2", f);
    }

    List<Map<String, Object>> parameters(Filter f) {
        String measures = "outcome, latency_ms, ttft_ms, prompt_tokens, completion_tokens FROM base";
        return query("WITH base AS (SELECT * FROM completions WHERE " + WHERE + "), bucketed AS ("
                             + "SELECT model, 'temperature' AS parameter, CASE WHEN temperature IS NULL THEN 'unset' "
                             + "ELSE to_char(floor(temperature * 4) / 4, 'FM0.00') || '-' "
                             + "|| to_char(floor(temperature * 4) / 4 + 0.25, 'FM0.00') END AS bucket, " + measures
                             + " UNION ALL SELECT model, 'top_p', CASE WHEN top_p IS NULL THEN 'unset' "
                             + "ELSE to_char(floor(top_p * 10) / 10, 'FM0.0') || '-' "
                             + "|| to_char(floor(top_p * 10) / 10 + 0.1, 'FM0.0') END, " + measures
                             + " UNION ALL SELECT model, 'max_tokens', CASE WHEN max_tokens IS NULL THEN 'unset' "
                             + "WHEN max_tokens <= 256 THEN '1-256' WHEN max_tokens <= 1024 THEN '257-1024' "
                             + "WHEN max_tokens <= 4096 THEN '1025-4096' ELSE '4097+' END, " + measures
                             + ") SELECT model, parameter, bucket, count(*) AS requests, "
                             + "round((count(*) FILTER (WHERE outcome <> 'ok'))::numeric / count(*), 4) AS error_rate, "
                             + "round(avg(latency_ms)::numeric, 2) AS avg_latency_ms, "
                             + "round((percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms))::numeric, 2) AS p50_latency_ms, "
                             + "round((percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms))::numeric, 2) AS p95_latency_ms, "
                             + "round(avg(ttft_ms)::numeric, 2) AS avg_ttft_ms, "
                             + "round(avg(prompt_tokens)::numeric, 1) AS avg_prompt_tokens, "
                             + "round(avg(completion_tokens)::numeric, 1) AS avg_completion_tokens "
                             + "FROM bucketed GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", f);
    }

    private static final String WHERE = "(CAST(? AS text) IS NULL OR user_id = ?) AND (CAST(? AS text) IS NULL OR model = ?) "
            + "AND created_at >= ? AND created_at < ?";

    private List<Map<String, Object>> query(String sql, Filter f) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, f.user());
            ps.setString(2, f.user());
            ps.setString(3, f.model());
            ps.setString(4, f.model());
            ps.setTimestamp(5, Timestamp.from(f.from()));
            ps.setTimestamp(6, Timestamp.from(f.to()));
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        Object value = rs.getObject(i);
                        row.put(meta.getColumnLabel(i), value instanceof java.math.BigDecimal bd ? bd.doubleValue() : value);
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("Analytics query failed: " + e.getMessage(), e);
        }
    }
}
