package ai.universal.vision;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_cudafilters;
import org.bytedeco.opencv.global.opencv_cudaimgproc;
import org.bytedeco.opencv.global.opencv_cudawarping;
import org.bytedeco.opencv.opencv_core.GpuMat;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_cudafilters.Filter;
import org.bytedeco.opencv.opencv_cudaimgproc.CannyEdgeDetector;

/**
 * cv::cuda: each call uploads, runs on the GPU and downloads. The classes come from the regular opencv artifact (the
 * Java side of every module is in it); their native code only from the {@code linux-x86_64-gpu} classifier (Maven
 * profile {@code gpu}) with CUDA 12.9 at run time. {@link #probe()} says whether that is the case here. Gaussian
 * kernels larger than the CUDA filter's limit (31) fall back to the CPU; 3-channel images blur as BGRA on the device.
 */
public final class CudaBackend implements Backend {
    private static final int MAX_CUDA_KERNEL = 31;

    private final CpuBackend cpu = new CpuBackend();

    private CudaBackend() {
    }

    /**
     * Whether cv::cuda works here: a CUDA-enabled OpenCV build, a visible device, and a trial resize on it.
     *
     * @return the backend, or the reason it cannot run
     */
    public static Probe probe() {
        int devices;
        try {
            devices = opencv_core.getCudaEnabledDeviceCount();
        } catch (Throwable e) {
            return new Probe(null, "cv::cuda is not loadable: " + e);
        }
        if (devices <= 0) {
            return new Probe(null, "OpenCV reports no CUDA device (getCudaEnabledDeviceCount() = " + devices
                    + "; the CPU build has no CUDA, or no GPU is visible)");
        }
        CudaBackend backend = new CudaBackend();
        try (Mat src = new Mat(8, 8, opencv_core.CV_8UC3); Mat dst = new Mat(); Size size = new Size(4, 4)) {
            backend.resize(src, dst, size, org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA);
            if (dst.cols() != 4) {
                return new Probe(null, "the trial cv::cuda::resize gave " + dst.cols() + " columns instead of 4");
            }
        } catch (Throwable e) {
            return new Probe(null, "the trial cv::cuda::resize failed: " + e);
        }
        return new Probe(backend, devices + " CUDA device(s)");
    }

    /**
     * The outcome of {@link #probe()}.
     *
     * @param backend the backend when CUDA works, else null
     * @param detail  device count or the reason it does not work
     */
    public record Probe(CudaBackend backend, String detail) {
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public void resize(Mat src, Mat dst, Size size, int interpolation) {
        try (GpuMat in = new GpuMat(); GpuMat out = new GpuMat()) {
            in.upload(src);
            opencv_cudawarping.resize(in, out, size, 0, 0, interpolation, org.bytedeco.opencv.opencv_core.Stream.Null());
            out.download(dst);
        }
    }

    @Override
    public void gaussianBlur(Mat src, Mat dst, double sigma) {
        int k = Backend.kernelSize(sigma);
        if (k > MAX_CUDA_KERNEL || src.depth() != opencv_core.CV_8U) {
            cpu.gaussianBlur(src, dst, sigma);
            return;
        }
        // cv::cuda filters take 1- or 4-channel images: BGR goes through BGRA on the device.
        boolean bgr = src.channels() == 3;
        int type = bgr ? opencv_core.CV_8UC4 : src.type();
        try (GpuMat in = new GpuMat(); GpuMat four = new GpuMat(); GpuMat out = new GpuMat(); Size kernel = new Size(k, k);
             Filter filter = opencv_cudafilters.createGaussianFilter(type, type, kernel, sigma)) {
            in.upload(src);
            if (bgr) {
                opencv_cudaimgproc.cvtColor(in, four, org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2BGRA);
                filter.apply(four, out);
                opencv_cudaimgproc.cvtColor(out, four, org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2BGR);
                four.download(dst);
            } else {
                filter.apply(in, out);
                out.download(dst);
            }
        }
    }

    @Override
    public void cvtColor(Mat src, Mat dst, int code) {
        try (GpuMat in = new GpuMat(); GpuMat out = new GpuMat()) {
            in.upload(src);
            opencv_cudaimgproc.cvtColor(in, out, code);
            out.download(dst);
        }
    }

    @Override
    public void canny(Mat gray, Mat dst, double low, double high, int aperture, boolean l2) {
        try (GpuMat in = new GpuMat(); GpuMat out = new GpuMat();
             CannyEdgeDetector detector = opencv_cudaimgproc.createCannyEdgeDetector(low, high, aperture, l2)) {
            in.upload(gray);
            detector.detect(in, out);
            out.download(dst);
        }
    }
}
