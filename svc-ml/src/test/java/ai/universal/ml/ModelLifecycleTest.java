package ai.universal.ml;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class ModelLifecycleTest {

    private static final Map<String, String> QUANTISED_ONLY = Map.of(
            "ML_MODELS", "all-minilm-l6-v2-q", "ML_DEFAULT_MODEL", "all-minilm-l6-v2-q");

    @Test
    void readinessAndRequestsWaitForTheModelsToLoad() {
        CountDownLatch mayLoad = new CountDownLatch(1);
        try (ServiceHarness svc = ServiceHarness.start(config -> {
            await(mayLoad);
            return LoadedModels.load(config);
        }, QUANTISED_ONLY)) {
            ServiceHarness.Reply ready = svc.get("/health/ready", null);
            assertThat(ready.status(), is(503));
            assertThat(ready.json().get("failing").get(0).asText(), is("models"));

            ServiceHarness.Reply early = svc.post("/v1/embeddings", "{\"input\":\"too early\"}");
            EmbeddingsApiTest.assertOpenAiError(early, 503, "server_error", null, "model_loading");
            assertThat(early.header("Retry-After"), is("2"));
            assertThat(svc.post("/v1/ml/language", "{\"text\":\"too early\"}").status(), is(503));

            mayLoad.countDown();
            svc.awaitReady();
            ServiceHarness.Reply later = svc.post("/v1/embeddings", "{\"input\":\"now\"}");
            assertThat(later.status(), is(200));
            assertThat(later.json().get("model").asText(), is("all-minilm-l6-v2-q"));
        }
    }

    @Test
    void fullQueueAnswers429WithRetryAfterAndQueuedRequestsStillComplete() throws Exception {
        AtomicReference<HeldEncoder> held = new AtomicReference<>();
        AtomicReference<EmbeddingBatcher> batcher = new AtomicReference<>();
        // One worker, so that the held call occupies every worker and the next texts stay queued.
        Map<String, String> settings = Map.of("ML_MODELS", "all-minilm-l6-v2-q", "ML_DEFAULT_MODEL", "all-minilm-l6-v2-q",
                                              "ML_QUEUE_CAPACITY", "2", "ML_MAX_INPUTS", "2", "ML_WORKERS", "1");
        try (ServiceHarness svc = ServiceHarness.start(config -> {
            OnnxSentenceEncoder encoder = OnnxSentenceEncoder.load(EmbeddingModelSpec.ALL_MINILM_L6_V2_Q, 0);
            held.set(new HeldEncoder(encoder));
            EmbeddingModel model = new EmbeddingModel(encoder, held.get(), config.batching());
            batcher.set(model.batcher());
            return new LoadedModels(new EmbeddingModels(List.of(model), config.defaultModel()),
                                    LanguageIdentifier.load(), SentenceSplitter.load(), WordTokenizer.load());
        }, settings);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            svc.awaitReady();
            Future<ServiceHarness.Reply> inFlight = pool.submit(() -> svc.post("/v1/embeddings", "{\"input\":\"a\"}"));
            Poll.until("the first model call is in flight", () -> held.get().calls() == 1);
            Future<ServiceHarness.Reply> queued = pool.submit(() -> svc.post("/v1/embeddings",
                                                                             "{\"input\":[\"b\",\"c\"]}"));
            Poll.until("two texts are queued", () -> batcher.get().stats().queued() == 2);

            ServiceHarness.Reply refused = svc.post("/v1/embeddings", "{\"input\":\"d\"}");
            EmbeddingsApiTest.assertOpenAiError(refused, 429, "rate_limit_error", null, "queue_full");
            assertThat(refused.header("Retry-After"), is("1"));
            assertThat(refused.error("message"), is("embedding queue is full (2 of 2 texts waiting); retry after 1 s"));

            held.get().release();
            assertThat(inFlight.get().status(), is(200));
            assertThat(queued.get().status(), is(200));
            assertThat(queued.get().json().get("data").size(), is(2));
            assertThat(svc.post("/v1/embeddings", "{\"input\":\"d\"}").status(), is(200));
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never let the models load");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
