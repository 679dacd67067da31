package ai.universal.chat;

import java.time.Instant;
import java.util.UUID;

/**
 * What analytics keeps about one completion.
 *
 * @param id             completion id (chatcmpl-…)
 * @param user           user id (token subject)
 * @param model          alias asked for
 * @param deployment     deployment that answered (null when none did)
 * @param provider       provider kind (null when none answered)
 * @param stream         streamed
 * @param temperature    temperature sent (null = default)
 * @param topP           top_p sent
 * @param maxTokens      max tokens sent
 * @param hasTools       tools were offered
 * @param usage          tokens
 * @param latencyMs      total latency
 * @param ttftMs         time to first token (streams)
 * @param attempts       upstream attempts
 * @param outcome        ok, upstream_error, bad_request, no_deployment, stream_interrupted, client_disconnected
 * @param errorCode      error code when not ok
 * @param conversationId conversation (may be null)
 * @param at             when it started
 */
record CompletionRecord(String id, String user, String model, String deployment, String provider, boolean stream,
                        Double temperature, Double topP, Integer maxTokens, boolean hasTools, Usage usage, double latencyMs,
                        Double ttftMs, int attempts, String outcome, String errorCode, UUID conversationId, Instant at) {
}
