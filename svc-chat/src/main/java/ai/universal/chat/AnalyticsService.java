package ai.universal.chat;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

import ai.universal.kit.auth.Principal;
import ai.universal.kit.http.Access;
import ai.universal.kit.http.ProblemException;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Usage and parameter analytics (scope chat:read). Users see their own completions; admins (role {@code admin}) see
 * everyone's and may narrow with {@code user=}.
 * <pre>
 * GET /v1/analytics/usage?from=YYYY-MM-DD&amp;to=YYYY-MM-DD&amp;model=&amp;user=
 *     {object: list, from, to, data: [{user, model, day, requests, errors, prompt_tokens, completion_tokens,
 *     total_tokens, avg_latency_ms}]}
 * GET /v1/analytics/parameters?from=&amp;to=&amp;model=&amp;user=
 *     {object: list, from, to, data: [{model, parameter, bucket, requests, error_rate, avg_latency_ms, p50_latency_ms,
 *     p95_latency_ms, avg_ttft_ms, avg_prompt_tokens, avg_completion_tokens}]}
 * </pre>
 * {@code from} defaults to 30 days ago, {@code to} (inclusive) to today, both UTC days.
 */
final class AnalyticsService implements HttpService {
    private final Analytics analytics;
    private final Access access;
    private final Clock clock;

    AnalyticsService(Analytics analytics, Access access, Clock clock) {
        this.analytics = analytics;
        this.access = access;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/analytics/usage", access.scope("chat:read", (req, res) -> answer(req, res, analytics::usage)))
                .get("/v1/analytics/parameters", access.scope("chat:read", (req, res) -> answer(req, res, analytics::parameters)));
    }

    private void answer(ServerRequest req, ServerResponse res,
                        java.util.function.Function<Analytics.Filter, List<Map<String, Object>>> query) {
        Principal principal = access.principal(req);
        String user = req.query().first("user").orElse(null);
        if (!principal.hasRole("admin")) {
            if (user != null && !user.equals(principal.subject())) {
                throw ProblemException.forbidden("Only admins see other users' analytics");
            }
            user = principal.subject();
        }
        LocalDate today = clock.instant().atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate from = day(req, "from", today.minusDays(30));
        LocalDate to = day(req, "to", today);
        if (to.isBefore(from)) {
            throw ProblemException.badRequest("'to' is before 'from'");
        }
        Instant start = from.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Map<String, Object>> rows = query.apply(new Analytics.Filter(user, req.query().first("model").orElse(null), start,
                                                                          end));
        res.send(Map.of("object", "list", "from", from.toString(), "to", to.toString(), "data", rows));
    }

    private static LocalDate day(ServerRequest req, String name, LocalDate fallback) {
        String value = req.query().first(name).orElse(null);
        if (value == null) {
            return fallback;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("Query parameter '" + name + "' must be a date like 2025-01-31");
        }
    }
}
