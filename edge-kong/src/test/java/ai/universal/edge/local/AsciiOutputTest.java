package ai.universal.edge.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AsciiOutputTest {
    @Test
    void numbersAndTextLeaveAsTheyWouldAsStrings() throws IOException {
        ByteArrayOutputStream socket = new ByteArrayOutputStream();
        AsciiOutput out = new AsciiOutput(socket, 8);
        StringBuilder expected = new StringBuilder();
        for (long v : new long[] {0, 7, 10, 99, 200, 1_234_567, Long.MAX_VALUE}) {
            // an 8-byte buffer: numbers and text are split across flushes
            out.decimal(v).ascii(" ").ascii("é€").crlf();
            expected.append(v).append(" ").append("é?").append("\r\n");
        }
        out.flush();
        assertEquals(expected.toString(), socket.toString(StandardCharsets.ISO_8859_1));
        assertThrows(IllegalArgumentException.class, () -> out.decimal(-1));
    }
}
