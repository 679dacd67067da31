package ai.universal.kit.observe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Named readiness checks of a service (database, redis, and whatever the service adds: a loaded model, an open
 * index). Liveness is the process answering at all; readiness is every check passing.
 */
public final class Health {
    private final List<Check> checks = new CopyOnWriteArrayList<>();

    /**
     * One check's outcome.
     *
     * @param up     whether it passes
     * @param detail a short, secret-free detail
     */
    public record Result(boolean up, String detail) {
        /**
         * Passing.
         *
         * @return result
         */
        public static Result ok() {
            return new Result(true, null);
        }

        /**
         * Failing.
         *
         * @param detail why
         * @return result
         */
        public static Result down(String detail) {
            return new Result(false, detail);
        }
    }

    private record Check(String name, Supplier<Result> probe) {
    }

    /**
     * Add a check.
     *
     * @param name  name shown in /health
     * @param probe the check; an exception counts as down
     */
    public void add(String name, Supplier<Result> probe) {
        checks.add(new Check(name, probe));
    }

    /**
     * Run every check.
     *
     * @return the report: {@code status} UP/DOWN, {@code checks} with each name, status and detail
     */
    public Report run() {
        List<Map<String, Object>> results = new ArrayList<>();
        List<String> failing = new ArrayList<>();
        for (Check check : checks) {
            Result result;
            try {
                result = check.probe().get();
            } catch (RuntimeException e) {
                result = Result.down(e.getClass().getSimpleName());
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", check.name());
            entry.put("status", result.up() ? "UP" : "DOWN");
            if (result.detail() != null) {
                entry.put("detail", result.detail());
            }
            results.add(entry);
            if (!result.up()) {
                failing.add(check.name());
            }
        }
        return new Report(failing.isEmpty(), failing, results);
    }

    /**
     * The outcome of all checks.
     *
     * @param ready   whether all passed
     * @param failing names of failing checks
     * @param checks  per-check entries
     */
    public record Report(boolean ready, List<String> failing, List<Map<String, Object>> checks) {
    }
}
