package ai.universal.vector;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static ai.universal.vector.TestData.json;
import static ai.universal.vector.TestData.payload;
import static ai.universal.vector.TestData.vec;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The filter semantics table: each operator alone and in combination, checked through scroll, count and filtered kNN.
 */
class FilterSemanticsTest {

    @TempDir
    static Path snapshots;

    private static VectorStore store;
    private static Collection c;

    @BeforeAll
    static void load() throws Exception {
        store = VectorStore.inMemory(snapshots, Duration.ofMillis(50), 100);
        c = store.create(new CollectionConfig("f", 2, Distance.EUCLIDEAN, 16, 100, 100, Storage.FLOAT32, false, "text"));
        c.upsert(null, List.of(
                new Point(PointId.of(1), vec(1, 0), payload("""
                        {"color":"red","size":10,"tags":["a","b"],"date":"2024-01-01T00:00:00Z","ok":true,
                         "nested":{"x":1},"text":"quick brown fox"}""")),
                new Point(PointId.of(2), vec(2, 0), payload("""
                        {"color":"blue","size":20,"tags":["b"],"date":"2024-06-01T12:00:00Z","ok":false,
                         "text":"lazy dog"}""")),
                new Point(PointId.of(3), vec(3, 0), payload("""
                        {"color":"red","size":30.5,"tags":[],"date":"2025-01-01","note":null}""")),
                new Point(PointId.of(4), vec(4, 0), payload("{\"color\":\"green\",\"size\":null}")),
                new Point(PointId.of(5), vec(5, 0), payload("{}"))), true);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty filter matches all             | {}                                                                   | 1 2 3 4 5
            keyword value                        | {"must":[{"key":"color","match":{"value":"red"}}]}                   | 1 3
            integer value                        | {"must":[{"key":"size","match":{"value":20}}]}                       | 2
            boolean value                        | {"must":[{"key":"ok","match":{"value":true}}]}                       | 1
            any-of                               | {"must":[{"key":"color","match":{"any":["blue","green"]}}]}          | 2 4
            except                               | {"must":[{"key":"color","match":{"except":["red"]}}]}                | 2 4
            array element matches               | {"must":[{"key":"tags","match":{"value":"b"}}]}                      | 1 2
            array syntax a[] is the same key      | {"must":[{"key":"tags[]","match":{"value":"a"}}]}                    | 1
            nested key                           | {"must":[{"key":"nested.x","match":{"value":1}}]}                    | 1
            numeric range gt lte                 | {"must":[{"key":"size","range":{"gt":10,"lte":30.5}}]}               | 2 3
            numeric range gte lt                 | {"must":[{"key":"size","range":{"gte":10,"lt":20}}]}                 | 1
            date range gte                       | {"must":[{"key":"date","range":{"gte":"2024-03-01T00:00:00Z"}}]}     | 2 3
            date range lt exclusive              | {"must":[{"key":"date","range":{"lt":"2024-06-01T12:00:00Z"}}]}      | 1
            datetime_range alias                 | {"must":[{"key":"date","datetime_range":{"gt":"2024-12-31"}}]}       | 3
            is_empty: missing, null or []        | {"must":[{"is_empty":{"key":"tags"}}]}                               | 3 4 5
            is_null                              | {"must":[{"is_null":{"key":"size"}}]}                                | 4
            exists                               | {"must":[{"exists":{"key":"nested.x"}}]}                             | 1
            has_id                               | {"must":[{"has_id":[2,5,77]}]}                                       | 2 5
            text match on text field             | {"must":[{"key":"text","match":{"text":"brown FOX"}}]}               | 1
            must is AND                          | {"must":[{"key":"color","match":{"value":"red"}},{"key":"size","range":{"gt":20}}]} | 3
            should is OR                         | {"should":[{"key":"color","match":{"value":"blue"}},{"key":"color","match":{"value":"green"}}]} | 2 4
            must_not alone                       | {"must_not":[{"key":"color","match":{"value":"red"}}]}               | 2 4 5
            must with should needs one should    | {"must":{"key":"color","match":{"value":"red"}},"should":[{"key":"size","match":{"value":10}},{"key":"size","match":{"value":99}}]} | 1
            must with must_not                   | {"must":[{"key":"color","match":{"value":"red"}}],"must_not":[{"key":"tags","match":{"value":"b"}}]} | 3
            nested filter in should              | {"should":[{"must":[{"key":"color","match":{"value":"red"}},{"key":"ok","match":{"value":true}}]},{"key":"color","match":{"value":"blue"}}]} | 1 2
            min_should                           | {"min_should":{"conditions":[{"key":"color","match":{"value":"red"}},{"key":"size","range":{"gt":15}},{"key":"tags","match":{"value":"b"}}],"min_count":2}} | 1 2 3
            any-of empty matches nothing         | {"must":[{"key":"color","match":{"any":[]}}]}                        | -
            """)
    void filterMatches(String name, String filter, String expected) {
        Set<String> want = expected.equals("-") ? Set.of() : Set.of(expected.split(" "));
        Set<String> scrolled = c.scroll(null, json(filter), 100, null, false, false).points().stream()
                .map(p -> p.id().value()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(name + " via scroll", scrolled, is(new TreeSet<>(want)));
        assertThat(name + " via count", c.count(null, json(filter)), is((long) want.size()));
        Set<String> searched = c.search(null, SearchRequest.of(vec(0, 0), 10).withFilter(json(filter))).stream()
                .map(p -> p.id().value()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(name + " via filtered kNN", searched, is(new TreeSet<>(want)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not an object              | []                                                  | filter must be an object with must / should / must_not, got []
            unknown clause             | {"filter":[]}                                       | filter has unknown field 'filter'; a filter has must, should, must_not, min_should
            key without operator       | {"must":[{"key":"a"}]}                              | filter.must[0] has a key but no match or range
            empty key                  | {"must":[{"key":"","match":{"value":1}}]}           | filter.must[0].key must be a non-empty string
            bad match                  | {"must":[{"key":"a","match":{"value":[1]}}]}        | filter.must[0].match.value must be a string, number or boolean, got [1]
            range without bounds       | {"should":[{"key":"a","range":{}}]}                 | filter.should[0].range needs at least one of gt, gte, lt, lte
            range unknown bound        | {"must":{"key":"a","range":{"from":1}}}             | filter.must.range has unknown bound 'from'; use gt, gte, lt, lte
            range mixed types          | {"must":[{"key":"a","range":{"gt":1,"lt":"2024-01-01"}}]} | filter.must[0].range bounds must be all numbers or all RFC 3339 date-times, got "2024-01-01"
            bad date                   | {"must":[{"key":"a","range":{"gt":"yesterday"}}]}   | filter.must[0].range.gt is not an RFC 3339 date-time: 'yesterday'
            text on other key          | {"must":[{"key":"color","match":{"text":"x"}}]}     | filter.must[0].match.text: text match needs key to be the collection's text_field 'text'
            geo unsupported            | {"must":[{"key":"loc","geo_radius":{}}]}            | filter.must[0]: geo and values_count conditions are not supported
            not a condition            | {"must":[{"foo":1}]}                                | filter.must[0] is not a condition: expected key+match, key+range, is_empty, is_null, exists, has_id or a nested filter
            """)
    void malformedFilterIsABadRequest(String name, String filter, String message) {
        VectorException e = assertThrows(VectorException.class, () -> c.count(null, json(filter)));
        assertThat(e.kind(), is(VectorException.Kind.BAD_REQUEST));
        assertThat(e.getMessage(), is(message));
    }
}
