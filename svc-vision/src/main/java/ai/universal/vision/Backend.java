package ai.universal.vision;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Where the heavy per-pixel work runs: resize, Gaussian blur, colour conversion and Canny. {@link CpuBackend} calls
 * OpenCV's CPU functions; {@link CudaBackend} the cv::cuda ones (upload, run, download). Everything else runs on the
 * CPU in both. Outputs of the two agree within the tolerances in the README.
 */
public interface Backend {

    /**
     * Name shown in logs, /health and /v1/vision/capabilities.
     *
     * @return {@code cpu} or {@code cuda}
     */
    String name();

    /**
     * Resize.
     *
     * @param src           source
     * @param dst           destination
     * @param size          target size
     * @param interpolation OpenCV interpolation flag
     */
    void resize(Mat src, Mat dst, Size size, int interpolation);

    /**
     * Gaussian blur with a kernel derived from sigma.
     *
     * @param src   source
     * @param dst   destination
     * @param sigma standard deviation in pixels
     */
    void gaussianBlur(Mat src, Mat dst, double sigma);

    /**
     * Colour conversion.
     *
     * @param src  source
     * @param dst  destination
     * @param code OpenCV conversion code
     */
    void cvtColor(Mat src, Mat dst, int code);

    /**
     * Canny edges of a one-channel image.
     *
     * @param gray     source, 8-bit one channel
     * @param dst      edge map
     * @param low      lower threshold
     * @param high     upper threshold
     * @param aperture Sobel aperture
     * @param l2       L2 gradient
     */
    void canny(Mat gray, Mat dst, double low, double high, int aperture, boolean l2);

    /**
     * Kernel size OpenCV derives from sigma for 8-bit images (odd, ≥ 3).
     *
     * @param sigma sigma
     * @return kernel size
     */
    static int kernelSize(double sigma) {
        int k = (int) Math.round(sigma * 3 * 2 + 1) | 1;
        return Math.max(3, k);
    }
}
