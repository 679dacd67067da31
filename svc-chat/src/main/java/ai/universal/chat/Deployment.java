package ai.universal.chat;

import java.time.Duration;

/**
 * One place a model alias can be served from.
 *
 * @param id            stable id, e.g. {@code openai:gpt-4o-mini@api.openai.com} (metrics, analytics, headers)
 * @param provider      provider kind with endpoint and key
 * @param model         model name at the upstream
 * @param weight        share in weighted routing
 * @param priority      order in priority routing (lower first)
 * @param rpm           requests per minute this deployment may take (0 = unlimited)
 * @param tpm           tokens per minute this deployment may take (0 = unlimited)
 * @param timeout       time until the upstream answers (streams: until the answer starts)
 * @param contextWindow tokens the model accepts (0 = unknown)
 */
record Deployment(String id, Provider provider, String model, int weight, int priority, int rpm, int tpm, Duration timeout,
                  int contextWindow) {
}
