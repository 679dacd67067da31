package ai.universal.vision;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VISION_BACKEND on a machine without CUDA (the CPU build): auto falls back and says why; cuda refuses to start. */
class BackendsTest {

    @Test
    void autoFallsBackToCpuWithTheReason() {
        Backends.Choice choice = Backends.choose("auto");
        assertInstanceOf(CpuBackend.class, choice.backend());
        assertEquals("cpu", choice.backend().name());
        assertTrue(choice.reason().startsWith("VISION_BACKEND=auto fell back to the CPU: "), choice.reason());
    }

    @Test
    void cpuIsCpu() {
        assertEquals("cpu", Backends.choose("CPU").backend().name());
    }

    @Test
    void cudaWithoutCudaFailsStartWithAnExplanation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.choose("cuda"));
        assertTrue(e.getMessage().startsWith("VISION_BACKEND=cuda but CUDA is not usable: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("Build with -Pgpu on a machine with CUDA 12.9, or set VISION_BACKEND=cpu or auto"));
    }

    @Test
    void unknownBackendIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.choose("metal"));
        assertEquals("VISION_BACKEND must be cpu, cuda or auto, not 'metal'", e.getMessage());
    }

    @Test
    void cudaProbeReportsNoDevice() {
        CudaBackend.Probe probe = CudaBackend.probe();
        assertEquals(null, probe.backend());
        assertTrue(probe.detail().contains("getCudaEnabledDeviceCount() = 0"), probe.detail());
    }
}
