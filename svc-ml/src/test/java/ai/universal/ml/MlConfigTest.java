package ai.universal.ml;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MlConfigTest {

    @Test
    void maxInputsLargerThanTheQueueIsRefusedAtStart() {
        BatchingPolicy policy = new BatchingPolicy(32, 8192, Duration.ofMillis(2), 100, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MlConfig(
                List.of("all-minilm-l6-v2"), "all-minilm-l6-v2", policy, 0, 200, 1000, 1000, 1 << 20, true, true));
        assertThat(e.getMessage(), is("ML_MAX_INPUTS (200) must not exceed ML_QUEUE_CAPACITY (100)"));
    }

    @Test
    void batchingPolicyRejectsNonPositiveBounds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> new BatchingPolicy(0, 8192, Duration.ZERO, 10, 1));
        assertThat(e.getMessage(), is("batching sizes must be positive: 0, 8192, 10, 1"));
        assertThat(BatchingPolicy.DEFAULT.unbatched().maxBatchSize(), is(1));
        assertThat(BatchingPolicy.DEFAULT.unbatched().maxWait(), is(Duration.ZERO));
    }
}
