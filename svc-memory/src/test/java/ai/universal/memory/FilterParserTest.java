package ai.universal.memory;

import java.util.List;
import java.util.Map;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterParserTest {

    @Test
    void readsEveryConditionShape() {
        Condition c = FilterParser.condition(json("{\"and\":[{\"key\":\"a.b\",\"eq\":1},{\"or\":[{\"key\":\"c\",\"in\":[1,2]},"
                                                          + "{\"not\":{\"key\":\"d\",\"contains\":\"x\"}}]},"
                                                          + "{\"key\":\"n\",\"gte\":1,\"lt\":5},"
                                                          + "{\"key\":\"e\",\"exists\":false}]}"),
                                             "metadata");
        Condition.All all = (Condition.All) c;
        assertEquals(4, all.conditions().size());
        assertEquals(List.of("a", "b"), ((Condition.Eq) all.conditions().get(0)).path());
        Condition.Any any = (Condition.Any) all.conditions().get(1);
        assertEquals(2, ((Condition.In) any.conditions().get(0)).values().size());
        assertTrue(any.conditions().get(1) instanceof Condition.Not);
        Condition.Range range = (Condition.Range) all.conditions().get(2);
        assertEquals(1, range.gte().asInt());
        assertEquals(5, range.lt().asInt());
        assertTrue(range.numeric());
        assertEquals(new Condition.Exists(List.of("e"), false), all.conditions().get(3));
    }

    @Test
    void shorthandObjectMeansAllEqual() {
        Condition c = FilterParser.condition(json("{\"color\":\"red\",\"metadata.size\":3}"), "metadata");
        Condition.All all = (Condition.All) c;
        assertEquals(List.of("color"), ((Condition.Eq) all.conditions().get(0)).path());
        assertEquals(List.of("size"), ((Condition.Eq) all.conditions().get(1)).path());
    }

    @Test
    void malformedConditionsNameTheField() {
        assertField("{\"key\":\"a\",\"near\":1}", "metadata.near");
        assertField("{\"and\":{}}", "metadata.and");
        assertField("{\"and\":[{\"key\":\"a\"}]}", "metadata.and[0]");
        assertField("{\"key\":\"a\",\"eq\":1,\"ne\":2}", "metadata");
        assertField("{\"key\":\"a b\",\"eq\":1}", "metadata.key");
        assertField("{\"key\":\"a\",\"gt\":1,\"lt\":\"z\"}", "metadata");
        assertField("{\"key\":\"a\",\"in\":[]}", "metadata.in");
        assertField("{\"key\":\"a\",\"contains\":[1]}", "metadata.contains");
        assertField("{\"key\":\"a\",\"gt\":true}", "metadata.gt");
        assertField("{\"a\":{\"gt\":1}}", "metadata.a");
        assertField("[]", "metadata");
        String deep = "{\"not\":".repeat(9) + "{\"key\":\"a\",\"eq\":1}" + "}".repeat(9);
        assertField(deep, "metadata.not.not.not.not.not.not.not.not");
    }

    @Test
    void filterObjectReadsScopesTimesAndExpiry() {
        MemoryFilter f = FilterParser.fromJson(json("{\"scope\":[\"a\",\"b\"],\"agent_id\":\"x\",\"created_after\":"
                                                            + "\"2026-01-01T00:00:00+01:00\",\"include_expired\":true}"),
                                               "filters");
        assertEquals(List.of("a", "b"), f.scopes());
        assertEquals("x", f.agentId());
        assertEquals("2025-12-31T23:00:00Z", f.createdAfter().toString());
        assertTrue(f.includeExpired());
        assertTrue(f.restricts());
        MemoryError e = assertThrows(MemoryError.class, () -> FilterParser.fromJson(json("{\"updated_before\":\"soon\"}"),
                                                                                  "filters"));
        assertEquals("filters.updated_before", e.field());
        MemoryFilter q = FilterParser.fromQuery(name -> Map.of("scope", List.of("a,b", "c")).getOrDefault(name, List.of()));
        assertEquals(List.of("a", "b", "c"), q.scopes());
        assertTrue(!MemoryFilter.NONE.restricts());
    }

    @Test
    void sqlBindsEveryValueAsAParameter() {
        Sql sql = FilterSql.where("u1", FilterParser.fromJson(json("{\"metadata\":{\"key\":\"a\",\"eq\":\"x'); DROP TABLE"
                                                                           + " memories; --\"}}"), "filters"),
                                  java.time.Instant.EPOCH);
        assertTrue(!sql.text().contains("DROP"), sql.text());
        assertTrue(sql.text().startsWith("owner = ?"), sql.text());
    }

    private static void assertField(String condition, String field) {
        MemoryError e = assertThrows(MemoryError.class, () -> FilterParser.condition(json(condition), "metadata"));
        assertEquals(MemoryError.Kind.BAD_REQUEST, e.kind());
        assertEquals("invalid_filter", e.code());
        assertEquals(field, e.field(), e.getMessage());
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
