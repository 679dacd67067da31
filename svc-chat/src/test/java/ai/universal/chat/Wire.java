package ai.universal.chat;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** Helpers for translation tests. */
final class Wire {
    private Wire() {
    }

    static ChatRequest parse(String json) throws Exception {
        return ChatRequest.parse(FakeUpstream.JSON.readTree(json));
    }

    static JsonNode json(String text) throws Exception {
        return FakeUpstream.JSON.readTree(text);
    }

    static BufferedReader lines(String text) {
        return new BufferedReader(new StringReader(text));
    }

    static List<StreamEvent> collect(java.util.function.Consumer<StreamListener> reader) {
        List<StreamEvent> events = new ArrayList<>();
        reader.accept(events::add);
        return events;
    }
}
