package ai.universal.vision;

import java.util.Locale;

/**
 * Picks the backend from {@code VISION_BACKEND}: {@code cpu}; {@code cuda} (start-up fails with the reason when CUDA
 * does not work); {@code auto} (CUDA when it works, else CPU). The choice and its reason are logged once.
 */
public final class Backends {
    private static final System.Logger LOGGER = System.getLogger(Backends.class.getName());

    private Backends() {
    }

    /**
     * The chosen backend and why.
     *
     * @param backend backend
     * @param reason  why this one
     */
    public record Choice(Backend backend, String reason) {
    }

    /**
     * Choose.
     *
     * @param setting {@code cpu}, {@code cuda} or {@code auto}
     * @return choice
     * @throws IllegalArgumentException for another value, or {@code cuda} when CUDA does not work here
     */
    public static Choice choose(String setting) {
        String mode = setting.trim().toLowerCase(Locale.ROOT);
        Choice choice = switch (mode) {
            case "cpu" -> new Choice(new CpuBackend(), "VISION_BACKEND=cpu");
            case "cuda" -> {
                CudaBackend.Probe probe = CudaBackend.probe();
                if (probe.backend() == null) {
                    throw new IllegalArgumentException("VISION_BACKEND=cuda but CUDA is not usable: " + probe.detail()
                                                               + ". Build with -Pgpu on a machine with CUDA 12.9, or set "
                                                               + "VISION_BACKEND=cpu or auto");
                }
                yield new Choice(probe.backend(), "VISION_BACKEND=cuda, " + probe.detail());
            }
            case "auto" -> {
                CudaBackend.Probe probe = CudaBackend.probe();
                yield probe.backend() != null
                        ? new Choice(probe.backend(), "VISION_BACKEND=auto found " + probe.detail())
                        : new Choice(new CpuBackend(), "VISION_BACKEND=auto fell back to the CPU: " + probe.detail());
            }
            default -> throw new IllegalArgumentException("VISION_BACKEND must be cpu, cuda or auto, not '" + setting + "'");
        };
        LOGGER.log(System.Logger.Level.INFO, "svc-vision backend: " + choice.backend().name() + " (" + choice.reason() + ")");
        return choice;
    }
}
