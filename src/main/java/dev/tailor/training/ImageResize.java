package dev.tailor.training;

/**
 * The resize training applies when a subnet's resolution differs from the dataset's size, public so
 * that an exported model's own resize can be checked against it.
 */
public final class ImageResize {

    private ImageResize() {}

    /**
     * Bilinear resize of one C x H x W image into a C x R x R block of {@code out} at {@code offset}:
     * half-pixel centres with source coordinates clamped to the image, as torch's
     * align_corners=False (and ONNX Resize's linear mode with half_pixel coordinates).
     */
    public static void bilinear(
            float[] source, int channels, int height, int width, float[] out, int offset, int resolution) {
        if (resolution == height && resolution == width) {
            System.arraycopy(source, 0, out, offset, channels * height * width);
            return;
        }
        double scaleY = (double) height / resolution;
        double scaleX = (double) width / resolution;
        for (int c = 0; c < channels; c++) {
            int plane = c * height * width;
            int outPlane = offset + c * resolution * resolution;
            for (int y = 0; y < resolution; y++) {
                double sy = Math.max(0, (y + 0.5) * scaleY - 0.5);
                int y0 = Math.min((int) sy, height - 1);
                int y1 = Math.min(y0 + 1, height - 1);
                double wy = sy - y0;
                for (int x = 0; x < resolution; x++) {
                    double sx = Math.max(0, (x + 0.5) * scaleX - 0.5);
                    int x0 = Math.min((int) sx, width - 1);
                    int x1 = Math.min(x0 + 1, width - 1);
                    double wx = sx - x0;
                    double top = source[plane + y0 * width + x0] * (1 - wx) + source[plane + y0 * width + x1] * wx;
                    double bottom = source[plane + y1 * width + x0] * (1 - wx) + source[plane + y1 * width + x1] * wx;
                    out[outPlane + y * resolution + x] = (float) (top * (1 - wy) + bottom * wy);
                }
            }
        }
    }
}
