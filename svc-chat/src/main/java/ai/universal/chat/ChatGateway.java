package ai.universal.chat;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.universal.kit.http.Json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One chat turn from request to answer: provider configured? alias known? per-user limits → stored conversation
 * history → memories → routing to an upstream (with retries and fallbacks) → the answer in OpenAI's format, whole or
 * as chunks → conversation, usage and analytics recorded.
 */
final class ChatGateway {
    private static final System.Logger LOGGER = System.getLogger(ChatGateway.class.getName());
    static final String DEPLOYMENT_HEADER = "X-Chat-Deployment";
    static final String MEMORY_HEADER = "X-Memory-Status";
    private static final JsonStringEncoder JSON_STRINGS = JsonStringEncoder.getInstance();

    private final ModelCatalog catalog;
    private final Router router;
    private final UpstreamHttp http;
    private final UserLimits limits;
    private final Conversations conversations;
    private final CompletionLog log;
    private final MemoryLookup memory;
    private final Clock clock;

    ChatGateway(ModelCatalog catalog, Router router, UpstreamHttp http, UserLimits limits, Conversations conversations,
                CompletionLog log, MemoryLookup memory, Clock clock) {
        this.catalog = catalog;
        this.router = router;
        this.http = http;
        this.limits = limits;
        this.conversations = conversations;
        this.log = log;
        this.memory = memory;
        this.clock = clock;
    }

    /**
     * A turn, ready to go upstream.
     *
     * @param id        completion id
     * @param user      caller
     * @param request   request with history and memories merged in
     * @param incoming  the client's new non-system messages (stored with the answer)
     * @param alias     alias
     * @param headers   headers for the answer (limits, memory)
     * @param memories  memories used, as [{id, score}] (null when none)
     * @param start     System.nanoTime() at the start
     * @param startedAt wall-clock start
     */
    record Turn(String id, String user, ChatRequest request, List<ChatMessage> incoming, ModelAlias alias,
                Map<String, String> headers, JsonNode memories, long start, Instant startedAt) {
    }

    /**
     * A whole answer.
     *
     * @param body    chat.completion JSON
     * @param headers headers
     */
    record Answer(ObjectNode body, Map<String, String> headers) {
    }

    /**
     * Everything before the upstream call.
     *
     * @param user    caller
     * @param request request
     * @return turn
     * @throws ChatFailure when the request cannot be served
     */
    Turn begin(String user, ChatRequest request) {
        long start = System.nanoTime();
        Instant startedAt = clock.instant();
        if (catalog.nothingConfigured()) {
            throw new ChatFailure(503, "no_provider_configured", ModelCatalog.HOW_TO_CONFIGURE, null, Map.of());
        }
        ModelAlias alias = catalog.find(request.model()).orElseThrow(() -> new ChatFailure(
                404, "model_not_found", "The model '" + request.model() + "' does not exist or you do not have access to it. "
                + "GET /v1/models lists the models this gateway serves.", "model", Map.of()));
        UserLimits.Decision decision = limits.check(user, startedAt);
        Map<String, String> headers = new LinkedHashMap<>(decision.headers());
        if (!decision.allowed()) {
            throw new ChatFailure(429, "rate_limit_exceeded", decision.message(), null, headers);
        }
        List<ChatMessage> system = new ArrayList<>();
        List<ChatMessage> incoming = new ArrayList<>();
        for (ChatMessage m : request.messages()) {
            (m.isSystem() ? system : incoming).add(m);
        }
        List<ChatMessage> history = List.of();
        if (request.conversationId() != null) {
            if (conversations.get(user, request.conversationId()).isEmpty()) {
                throw new ChatFailure(404, "conversation_not_found", "No conversation " + request.conversationId()
                        + " belongs to you", "conversation_id", headers);
            }
            history = conversations.messages(request.conversationId()).stream().map(Conversations.StoredMessage::message)
                    .toList();
        }
        JsonNode used = null;
        if (request.memory().enabled()) {
            MemoryLookup.Result found = memory.search(request.lastUserText(), request.memory().limit());
            if (!found.available()) {
                headers.put(MEMORY_HEADER, "unavailable");
            } else {
                headers.put(MEMORY_HEADER, found.memories().isEmpty() ? "none" : "used");
                headers.put("X-Memory-Count", Integer.toString(found.memories().size()));
                if (!found.memories().isEmpty()) {
                    system.add(ChatMessage.of("system", MemoryLookup.systemPrompt(found.memories())));
                    ArrayNode ids = Json.MAPPER.createArrayNode();
                    found.memories().forEach(m -> ids.addObject().put("id", m.id()).put("score", m.score()));
                    used = ids;
                }
            }
        }
        List<ChatMessage> messages = new ArrayList<>(system);
        messages.addAll(history);
        messages.addAll(incoming);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        return new Turn(id, user, request.withMessages(messages), List.copyOf(incoming), alias, headers, used, start,
                        startedAt);
    }

    /**
     * A whole answer.
     *
     * @param turn turn
     * @return answer
     * @throws ChatFailure when no upstream answered
     */
    Answer complete(Turn turn) {
        ChatRequest request = turn.request();
        Router.Routed<Completion> routed;
        try {
            routed = router.route(turn.alias(), catalog::find, false,
                                  (d, h) -> d.provider().complete(http, d.model(), request, d.timeout()));
        } catch (UpstreamException | Router.ExhaustedException | InvalidRequestException e) {
            throw failed(turn, e, false);
        }
        Completion completion = withUsage(routed.value(), request);
        double latencyMs = millis(turn.start());
        finish(turn, routed, completion, latencyMs, null, false);
        Map<String, String> headers = new LinkedHashMap<>(turn.headers());
        headers.put(DEPLOYMENT_HEADER, routed.deployment().id());
        return new Answer(completionBody(turn, completion), headers);
    }

    /**
     * A streamed answer. Failures before the first byte throw (the client gets an HTTP error); after it, the stream
     * ends with an error chunk.
     *
     * @param turn turn
     * @param sink where chunks go
     * @throws ChatFailure when no upstream answered
     */
    void stream(Turn turn, ChunkSink sink) {
        ChatRequest request = turn.request();
        StreamedAnswer answer = new StreamedAnswer(turn, sink);
        Router.Routed<Completion> routed;
        try {
            routed = router.route(turn.alias(), catalog::find, true, (d, h) -> {
                answer.attempt(d, h);
                try {
                    d.provider().stream(http, d.model(), request, d.timeout(), answer::on);
                } catch (UpstreamException e) {
                    if (answer.started()) {
                        throw new StreamInterruptedException(e);
                    }
                    throw e;
                }
                return answer.completion();
            });
        } catch (UpstreamException | Router.ExhaustedException | InvalidRequestException e) {
            throw failed(turn, e, true);
        } catch (StreamInterruptedException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Stream " + turn.id() + " broke after the first byte: " + e.getMessage());
            record(turn, answer.deployment(), withUsage(answer.completion(), request).usage(), millis(turn.start()),
                   answer.ttftMs(), 1, true, "stream_interrupted", "upstream_stream_interrupted");
            sendQuietly(sink, errorChunk("The upstream stream failed after it started: " + e.getMessage()
                    + ". The answer is incomplete.", "upstream_stream_interrupted"));
            endQuietly(sink);
            return;
        } catch (RuntimeException e) {
            // the client went away (writing failed): nothing more to send
            record(turn, answer.deployment(), withUsage(answer.completion(), request).usage(), millis(turn.start()),
                   answer.ttftMs(), 1, true, "client_disconnected", null);
            return;
        }
        Completion completion = withUsage(routed.value(), request);
        finish(turn, routed, completion, millis(turn.start()), answer.ttftMs(), true);
        try {
            answer.finish(completion);
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "Client left before the end of stream " + turn.id());
        }
    }

    private void finish(Turn turn, Router.Routed<Completion> routed, Completion completion, double latencyMs, Double ttftMs,
                        boolean stream) {
        router.health(routed.deployment()).tokens(completion.usage());
        limits.addTokens(turn.user(), completion.usage().total(), clock.instant());
        if (turn.request().conversationId() != null) {
            conversations.append(turn.request().conversationId(), turn.incoming(),
                                 new Conversations.Answer(completion, routed.alias(), routed.deployment().id(), latencyMs, ttftMs,
                                                          turn.memories()));
        }
        record(turn, routed.deployment(), completion.usage(), latencyMs, ttftMs, routed.attempts(), stream, "ok", null);
    }

    private ChatFailure failed(Turn turn, RuntimeException e, boolean stream) {
        ChatFailure failure = failure(e, turn.headers());
        String outcome = switch (failure.code()) {
            case "no_deployment_available" -> "no_deployment";
            case "invalid_request_error", "context_length_exceeded", "invalid_value" -> "bad_request";
            default -> "upstream_error";
        };
        int attempts = e instanceof Router.ExhaustedException x ? x.attempts() : 1;
        record(turn, null, Usage.NONE, millis(turn.start()), null, attempts, stream, outcome, failure.code());
        return failure;
    }

    static ChatFailure failure(RuntimeException e, Map<String, String> headers) {
        if (e instanceof InvalidRequestException ire) {
            return new ChatFailure(400, ire.code(), ire.getMessage(), ire.param(), headers);
        }
        if (e instanceof Router.ExhaustedException x) {
            if (x.last() == null) {
                Map<String, String> h = new LinkedHashMap<>(headers);
                if (x.retryAfter() != null) {
                    h.put("Retry-After", Long.toString(Math.max(1, x.retryAfter().toSeconds())));
                }
                return new ChatFailure(503, "no_deployment_available", "Every deployment of this model is cooling down "
                        + "after failures or at its rate limit; try again shortly.", null, h);
            }
            e = x.last();
        }
        UpstreamException u = (UpstreamException) e;
        return switch (u.kind()) {
            case BAD_REQUEST -> new ChatFailure(400, "invalid_request_error", "The model provider rejected the request: "
                    + u.getMessage(), null, headers);
            case CONTEXT_LENGTH -> new ChatFailure(400, "context_length_exceeded", "The messages do not fit the model's "
                    + "context window: " + u.getMessage(), "messages", headers);
            case TIMEOUT -> new ChatFailure(504, "upstream_timeout", "The model provider did not answer in time: "
                    + u.getMessage(), null, headers);
            case RATE_LIMITED -> new ChatFailure(429, "upstream_rate_limited", "The model provider is rate limiting this "
                    + "gateway: " + u.getMessage(), null, withRetryAfter(headers));
            default -> new ChatFailure(502, "upstream_error", "The model provider failed: " + u.getMessage(), null, headers);
        };
    }

    private static Map<String, String> withRetryAfter(Map<String, String> headers) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.putIfAbsent("Retry-After", "1");
        return h;
    }

    private void record(Turn turn, Deployment d, Usage usage, double latencyMs, Double ttftMs, int attempts, boolean stream,
                        String outcome, String errorCode) {
        ChatRequest r = turn.request();
        ChatRequest.Sampling s = r.sampling();
        log.add(new CompletionRecord(turn.id(), turn.user(), r.model(), d == null ? null : d.id(),
                                     d == null ? null : d.provider().kind(), stream, s.temperature(), s.topP(), s.maxTokens(),
                                     !r.tools().isEmpty(), usage, latencyMs, ttftMs, attempts, outcome, errorCode,
                                     r.conversationId(), turn.startedAt()));
    }

    /** Upstreams that report no usage get an estimate (4 characters a token), so limits and analytics still count. */
    private static Completion withUsage(Completion c, ChatRequest request) {
        if (c.usage() != null) {
            return c;
        }
        int promptChars = request.messages().stream().mapToInt(m -> m.text().length()).sum();
        int completionChars = c.text().length() + c.toolCalls().stream().mapToInt(t -> t.arguments().length()).sum();
        return new Completion(c.text(), c.toolCalls(), c.finishReason(),
                              new Usage(Math.max(1, promptChars / 4), Math.max(c.text().isEmpty() ? 0 : 1, completionChars / 4)));
    }

    private static double millis(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    private ObjectNode completionBody(Turn turn, Completion c) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("id", turn.id());
        body.put("object", "chat.completion");
        body.put("created", turn.startedAt().getEpochSecond());
        body.put("model", turn.request().model());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (c.text().isEmpty() && !c.toolCalls().isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", c.text());
        }
        if (!c.toolCalls().isEmpty()) {
            message.set("tool_calls", OpenAiWire.toolCalls(c.toolCalls()));
        }
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", c.finishReason());
        body.set("usage", usage(c.usage()));
        body.putNull("system_fingerprint");
        return body;
    }

    private static ObjectNode usage(Usage u) {
        return Json.MAPPER.createObjectNode().put("prompt_tokens", u.promptTokens())
                .put("completion_tokens", u.completionTokens()).put("total_tokens", u.total());
    }

    static String errorChunk(String message, String code) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("error").put("message", message).put("type", "server_error").putNull("param").put("code", code);
        return body.toString();
    }

    private static void sendQuietly(ChunkSink sink, String data) {
        try {
            sink.event(data);
        } catch (RuntimeException e) {
            // client already gone
        }
    }

    private static void endQuietly(ChunkSink sink) {
        try {
            sink.end();
        } catch (RuntimeException e) {
            // client already gone
        }
    }

    /**
     * Assembles a streamed answer while forwarding it as OpenAI chunks. The part of a chunk that is the same for the
     * whole stream (id, created, model…) is encoded once; a text delta is written straight into it.
     */
    private final class StreamedAnswer {
        private final Turn turn;
        private final ChunkSink sink;
        private final String chunkStart;
        private final String chunkEnd;
        private final StringBuilder text = new StringBuilder();
        private final List<String[]> toolCalls = new ArrayList<>();
        private Deployment deployment;
        private DeploymentHealth health;
        private boolean started;
        private Double ttftMs;
        private String finishReason = "stop";
        private Usage usage;

        StreamedAnswer(Turn turn, ChunkSink sink) {
            this.turn = turn;
            this.sink = sink;
            String base = base().toString();
            this.chunkStart = base.substring(0, base.length() - 1) + ",\"choices\":[{\"index\":0,\"delta\":";
            this.chunkEnd = "}]" + (turn.request().includeUsage() ? ",\"usage\":null}" : "}");
        }

        void attempt(Deployment d, DeploymentHealth h) {
            deployment = d;
            health = h;
            text.setLength(0);
            toolCalls.clear();
            usage = null;
            finishReason = "stop";
        }

        boolean started() {
            return started;
        }

        Deployment deployment() {
            return deployment;
        }

        Double ttftMs() {
            return ttftMs;
        }

        void on(StreamEvent event) {
            if (!started) {
                long nanos = System.nanoTime() - turn.start();
                ttftMs = nanos / 1e6;
                health.firstToken(nanos);
                Map<String, String> headers = new LinkedHashMap<>(turn.headers());
                headers.put(DEPLOYMENT_HEADER, deployment.id());
                sink.begin(headers);
                started = true;
                ObjectNode delta = Json.MAPPER.createObjectNode().put("role", "assistant").put("content", "");
                sink.pending(chunk(delta, null));
            }
            switch (event) {
            case StreamEvent.Text t -> {
                text.append(t.text());
                sink.event(chunkStart + "{\"content\":\"" + new String(JSON_STRINGS.quoteAsString(t.text()))
                                   + "\"},\"logprobs\":null,\"finish_reason\":null" + chunkEnd);
            }
            case StreamEvent.ToolCallFragment f -> {
                while (toolCalls.size() <= f.index()) {
                    toolCalls.add(new String[] {null, null, ""});
                }
                String[] call = toolCalls.get(f.index());
                ObjectNode item = Json.MAPPER.createObjectNode().put("index", f.index());
                if (f.id() != null) {
                    call[0] = f.id();
                    call[1] = f.name();
                    item.put("id", f.id()).put("type", "function");
                    item.putObject("function").put("name", f.name()).put("arguments", f.arguments());
                } else {
                    item.putObject("function").put("arguments", f.arguments());
                }
                call[2] = call[2] + f.arguments();
                ObjectNode delta = Json.MAPPER.createObjectNode();
                delta.putArray("tool_calls").add(item);
                sink.event(chunk(delta, null));
            }
            case StreamEvent.Finished f -> {
                finishReason = f.finishReason();
                usage = f.usage();
            }
            }
        }

        Completion completion() {
            List<ToolCall> calls = toolCalls.stream().map(c -> new ToolCall(c[0], c[1], c[2])).toList();
            return new Completion(text.toString(), calls, finishReason, usage);
        }

        void finish(Completion completion) {
            sink.event(chunk(Json.MAPPER.createObjectNode(), completion.finishReason()));
            if (turn.request().includeUsage()) {
                ObjectNode last = base();
                last.putArray("choices");
                last.set("usage", usage(completion.usage()));
                sink.event(last.toString());
            }
            sink.event("[DONE]");
            sink.end();
        }

        private ObjectNode base() {
            ObjectNode chunk = Json.MAPPER.createObjectNode();
            chunk.put("id", turn.id());
            chunk.put("object", "chat.completion.chunk");
            chunk.put("created", turn.startedAt().getEpochSecond());
            chunk.put("model", turn.request().model());
            chunk.putNull("system_fingerprint");
            return chunk;
        }

        private String chunk(ObjectNode delta, String finish) {
            return chunkStart + delta.toString() + ",\"logprobs\":null,\"finish_reason\":"
                    + (finish == null ? "null" : "\"" + new String(JSON_STRINGS.quoteAsString(finish)) + "\"") + chunkEnd;
        }
    }
}
