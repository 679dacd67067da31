package ai.universal.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import ai.universal.kit.http.Access;
import ai.universal.kit.http.Json;
import ai.universal.kit.http.Problem;
import ai.universal.kit.http.ProblemException;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The OpenAI-compatible API (errors in OpenAI's {@code {"error":{message,type,param,code}}} shape):
 * <pre>
 * POST /v1/chat/completions   scope chat:write   OpenAI's request (+ conversation_id, memory) → chat.completion, or with
 *                                                "stream": true Server-Sent Events of chat.completion.chunk then
 *                                                data: [DONE]; headers x-ratelimit-*, X-Chat-Deployment, X-Memory-Status
 * GET  /v1/models             authenticated      {object: list, data: [{id, object: model, created, owned_by}]}
 * GET  /v1/models/{model}     authenticated      one model, or 404
 * </pre>
 */
final class ChatService implements HttpService {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ChatGateway gateway;
    private final ModelCatalog catalog;
    private final Access access;
    private final long created;

    ChatService(ChatGateway gateway, ModelCatalog catalog, Access access, long created) {
        this.gateway = gateway;
        this.catalog = catalog;
        this.access = access;
        this.created = created;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/chat/completions", access.scope("chat:write", this::complete))
                .get("/v1/models", access.authenticated(this::models))
                .get("/v1/models/{model}", access.authenticated(this::model));
    }

    private void complete(ServerRequest req, ServerResponse res) {
        String user = access.principal(req).subject();
        ChatRequest request;
        try {
            request = ChatRequest.parse(Json.tree(req));
        } catch (InvalidRequestException e) {
            throw openAiError(new ChatFailure(400, e.code(), e.getMessage(), e.param(), Map.of()));
        }
        try {
            ChatGateway.Turn turn = gateway.begin(user, request);
            if (request.stream()) {
                gateway.stream(turn, new SseSink(res));
            } else {
                ChatGateway.Answer answer = gateway.complete(turn);
                answer.headers().forEach(res::header);
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(Json.bytes(answer.body()));
            }
        } catch (ChatFailure f) {
            throw openAiError(f);
        }
    }

    private void models(ServerRequest req, ServerResponse res) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("object", "list");
        ArrayNode data = body.putArray("data");
        for (String name : catalog.names()) {
            catalog.find(name).ifPresent(alias -> data.add(model(alias)));
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body));
    }

    private void model(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("model");
        ModelAlias alias = catalog.find(name).orElseThrow(() -> openAiError(new ChatFailure(
                404, "model_not_found", "The model '" + name + "' does not exist", "model", Map.of())));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(model(alias)));
    }

    private ObjectNode model(ModelAlias alias) {
        return Json.MAPPER.createObjectNode().put("id", alias.name()).put("object", "model").put("created", created)
                .put("owned_by", alias.ownedBy());
    }

    static ProblemException openAiError(ChatFailure f) {
        Map<String, Object> extra = f.param() == null ? Map.of() : Map.of("param", f.param());
        ProblemException e = new ProblemException(new Problem(f.status(), f.code(), Status.create(f.status()).reasonPhrase(),
                                                              f.getMessage(), null, extra));
        for (Map.Entry<String, String> header : f.headers().entrySet()) {
            e = e.withHeader(header.getKey(), header.getValue());
        }
        return e;
    }

    /** Server-Sent Events on the response: each event written and flushed as it comes. */
    private static final class SseSink implements ChunkSink {
        private final ServerResponse res;
        private OutputStream out;

        SseSink(ServerResponse res) {
            this.res = res;
        }

        @Override
        public void begin(Map<String, String> headers) {
            res.status(Status.OK_200);
            headers.forEach(res::header);
            res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.header(HeaderNames.create("X-Accel-Buffering"), "no");
            out = res.outputStream();
        }

        @Override
        public void event(String data) {
            write(data, true);
        }

        @Override
        public void pending(String data) {
            write(data, false);
        }

        private void write(String data, boolean flush) {
            try {
                out.write(DATA);
                out.write(data.getBytes(StandardCharsets.UTF_8));
                out.write(END);
                if (flush) {
                    out.flush();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void end() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
