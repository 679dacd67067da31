import java.util.function.BiConsumer;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import ai.universal.vision.Backend;
import ai.universal.vision.CpuBackend;
import ai.universal.vision.CudaBackend;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_core.countNonZero;
import static org.bytedeco.opencv.global.opencv_core.minMaxLoc;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;

/**
 * On a machine with an NVIDIA GPU and the -Pgpu build: CPU vs CUDA for resize, blur, cvtColor and Canny on a 12 MP
 * image — the largest per-channel difference (Canny: share of differing pixels) and ms per call for each backend.
 * Exits 1 when CUDA is not usable or a result is outside the README's tolerance.
 */
public final class CudaCheck {
    public static void main(String[] args) {
        CudaBackend.Probe probe = CudaBackend.probe();
        if (probe.backend() == null) {
            System.out.println("CUDA not usable: " + probe.detail());
            System.exit(1);
        }
        System.out.println("CUDA: " + probe.detail());
        Backend cpu = new CpuBackend();
        Backend gpu = probe.backend();
        Mat noise = new Mat(3000, 4000, CV_8UC3);
        try (org.bytedeco.javacpp.indexer.UByteIndexer px = noise.createIndexer()) {
            long seed = 7;
            for (int y = 0; y < 3000; y++) {
                for (int x = 0; x < 4000; x++) {
                    for (int c = 0; c < 3; c++) {
                        seed = seed * 6364136223846793005L + 1442695040888963407L;
                        px.put(y, x, c, (int) (seed >>> 56));
                    }
                }
            }
        }
        Mat photo = new Mat();
        GaussianBlur(noise, photo, new Size(0, 0), 3);
        boolean ok = true;
        ok &= check("resize INTER_AREA 512x384", cpu, gpu, photo,
                    (b, io) -> b.resize(io[0], io[1], new Size(512, 384), INTER_AREA), 2);
        ok &= check("resize INTER_LINEAR 2000x1500", cpu, gpu, photo,
                    (b, io) -> b.resize(io[0], io[1], new Size(2000, 1500), INTER_LINEAR), 2);
        ok &= check("gaussian blur sigma 2", cpu, gpu, photo, (b, io) -> b.gaussianBlur(io[0], io[1], 2), 2);
        ok &= check("cvtColor BGR2GRAY", cpu, gpu, photo, (b, io) -> b.cvtColor(io[0], io[1], COLOR_BGR2GRAY), 2);
        Mat grey = new Mat();
        cpu.cvtColor(photo, grey, COLOR_BGR2GRAY);
        ok &= check("canny 50/150", cpu, gpu, grey, (b, io) -> b.canny(io[0], io[1], 50, 150, 3, false), -1);
        System.exit(ok ? 0 : 1);
    }

    private static boolean check(String name, Backend cpu, Backend gpu, Mat src, BiConsumer<Backend, Mat[]> op,
                                 int tolerance) {
        Mat a = new Mat();
        Mat b = new Mat();
        op.accept(cpu, new Mat[] {src, a});
        op.accept(gpu, new Mat[] {src, b});
        double cpuMs = time(cpu, src, op);
        double gpuMs = time(gpu, src, op);
        Mat diff = new Mat();
        absdiff(a, b, diff);
        Mat flat = diff.reshape(1, 0);
        boolean ok;
        String result;
        if (tolerance < 0) {
            double share = countNonZero(flat) / (double) flat.total();
            ok = share <= 0.01;
            result = String.format("differing pixels %.3f%%", share * 100);
        } else {
            double[] max = new double[1];
            minMaxLoc(flat, null, max, null, null, null);
            ok = max[0] <= tolerance && a.cols() == b.cols() && a.rows() == b.rows();
            result = "max |cpu-cuda| = " + (int) max[0];
        }
        System.out.printf("%-30s %s  cpu %.1f ms  cuda %.1f ms (upload+run+download)  %s%n", name, result, cpuMs, gpuMs,
                          ok ? "OK" : "OUTSIDE TOLERANCE");
        return ok;
    }

    private static double time(Backend backend, Mat src, BiConsumer<Backend, Mat[]> op) {
        Mat out = new Mat();
        int n = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            op.accept(backend, new Mat[] {src, out});
        }
        return (System.nanoTime() - t0) / 1e6 / n;
    }
}
