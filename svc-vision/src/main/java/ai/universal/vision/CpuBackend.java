package ai.universal.vision;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_imgproc.Canny;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;

/** OpenCV's CPU implementations. */
public final class CpuBackend implements Backend {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void resize(Mat src, Mat dst, Size size, int interpolation) {
        org.bytedeco.opencv.global.opencv_imgproc.resize(src, dst, size, 0, 0, interpolation);
    }

    @Override
    public void gaussianBlur(Mat src, Mat dst, double sigma) {
        int k = Backend.kernelSize(sigma);
        try (Size kernel = new Size(k, k)) {
            GaussianBlur(src, dst, kernel, sigma);
        }
    }

    @Override
    public void cvtColor(Mat src, Mat dst, int code) {
        org.bytedeco.opencv.global.opencv_imgproc.cvtColor(src, dst, code);
    }

    @Override
    public void canny(Mat gray, Mat dst, double low, double high, int aperture, boolean l2) {
        Canny(gray, dst, low, high, aperture, l2);
    }
}
