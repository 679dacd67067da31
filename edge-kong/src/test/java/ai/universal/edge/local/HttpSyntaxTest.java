package ai.universal.edge.local;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

class HttpSyntaxTest {
    @Test
    void hostsThatAreFine() {
        for (String host : List.of("localhost", "localhost:8080", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080",
                                   "api.example.test", "xn--bcher-kva.example", "a-b_c~d", "%41bc", "host:")) {
            assertThat(host, HttpSyntax.hostProblem(true, List.of(host)), is(nullValue()));
        }
    }

    @Test
    void hostsThatAreNot() {
        for (String host : List.of("exa mple", "a/b", "a@b", "[::1", "[]", "host:80:80", "host:123456", "host:8o",
                                   ":80", "%4", "%zz", "a\tb", "ex\u00e4mple", "[::1]x")) {
            assertThat(host, HttpSyntax.hostProblem(true, List.of(host)), is("Invalid Host header"));
        }
    }

    @Test
    void hostIsRequiredOnceInHttp11() {
        assertThat(HttpSyntax.hostProblem(true, List.of()), is("Host header must be present in the request"));
        assertThat(HttpSyntax.hostProblem(false, List.of()), is(nullValue()));
        assertThat(HttpSyntax.hostProblem(true, List.of("a", "b")), is("Only a single Host header is allowed in request"));
        assertThat(HttpSyntax.hostProblem(false, List.of("")), is("Host header must not be empty"));
    }

    @Test
    void headerNamesAndValues() {
        assertThat(HttpSyntax.isToken("X-Kong-Request-Id"), is(true));
        assertThat(HttpSyntax.isToken("!#$%&'*+-.^_`|~09azAZ"), is(true));
        for (String name : List.of("", "X Name", "X:Name", "X-Name ", "X\u00e4", "(x)", "a\r")) {
            assertThat(name, HttpSyntax.isToken(name), is(false));
        }
        assertThat(HttpSyntax.isFieldValue("text/plain; charset=utf-8"), is(true));
        assertThat(HttpSyntax.isFieldValue("a\tb \u00e9"), is(true));
        assertThat(HttpSyntax.isFieldValue(""), is(true));
        for (String value : List.of("a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u0000b", "a\u007fb", "\u20ac")) {
            assertThat(value, HttpSyntax.isFieldValue(value), is(false));
        }
        assertThat(HttpSyntax.trimOws("Name: \t value \t", 5), is("value"));
        assertThat(HttpSyntax.trimOws("Name:", 5), is(""));
    }
}
