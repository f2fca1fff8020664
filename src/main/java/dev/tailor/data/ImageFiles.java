package dev.tailor.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/** Single PNG/JPEG files through ImageIO: their size and colour from the header, and their pixels as bytes. */
final class ImageFiles {

    private ImageFiles() {}

    /** What a file's header says, read without decoding pixels. */
    record Probe(Path file, int width, int height, boolean grey) {

        String size() {
            return width + "x" + height;
        }
    }

    private interface ReaderTask<T> {
        T apply(ImageReader reader) throws IOException;
    }

    /**
     * Reads the header only. When the decoder cannot tell the colour model up front the image counts as colour: the
     * worst that does is give a grey dataset three equal channels.
     */
    static Probe probe(Path file) {
        return withReader(file, reader -> {
            ImageTypeSpecifier type = reader.getRawImageType(0);
            boolean grey = type != null && isGrey(type.getColorModel());
            return new Probe(file, reader.getWidth(0), reader.getHeight(0), grey);
        });
    }

    /**
     * Decodes {@code file} into {@code out[offset ...]} as {@code channels} planes of height x width bytes. A grey image
     * fills all planes with its grey value; a colour image needs three planes and returns false, writing nothing,
     * when given one (its header claimed grey, so the caller must start over with three).
     */
    static boolean decodeInto(Path file, int channels, int width, int height, byte[] out, int offset) {
        BufferedImage image = withReader(file, reader -> reader.read(0));
        if (image.getWidth() != width || image.getHeight() != height) {
            throw new DatasetException(file + " decodes to " + image.getWidth() + "x" + image.getHeight()
                    + " although its header says " + width + "x" + height + "; replace or delete the file");
        }
        int plane = width * height;
        if (isGrey(image.getColorModel())) {
            writeGrey(image, out, offset);
            for (int c = 1; c < channels; c++) {
                System.arraycopy(out, offset, out, offset + c * plane, plane);
            }
            return true;
        }
        if (channels < 3) {
            return false;
        }
        // getRGB converts any colour model (palette, 16-bit, CMYK JPEG) to 8-bit sRGB
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        for (int i = 0; i < plane; i++) {
            int pixel = argb[i];
            out[offset + i] = (byte) (pixel >> 16);
            out[offset + plane + i] = (byte) (pixel >> 8);
            out[offset + 2 * plane + i] = (byte) pixel;
        }
        return true;
    }

    /** A palette counts as grey when every entry is; a 1-bit black-and-white PNG is grey, for example. */
    static boolean isGrey(ColorModel model) {
        if (model instanceof IndexColorModel palette) {
            for (int i = 0; i < palette.getMapSize(); i++) {
                int red = palette.getRed(i);
                if (red != palette.getGreen(i) || red != palette.getBlue(i)) {
                    return false;
                }
            }
            return true;
        }
        return model.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    /**
     * The stored grey levels, not getRGB's: Java treats grey as linear and getRGB would apply a gamma curve, changing
     * every value. Deeper samples are scaled to 0..255.
     */
    private static void writeGrey(BufferedImage image, byte[] out, int offset) {
        int width = image.getWidth();
        int height = image.getHeight();
        ColorModel model = image.getColorModel();
        if (model instanceof IndexColorModel palette) {
            int[] indices = image.getRaster().getSamples(0, 0, width, height, 0, (int[]) null);
            for (int i = 0; i < indices.length; i++) {
                out[offset + i] = (byte) palette.getRed(indices[i]);
            }
            return;
        }
        int[] samples = image.getRaster().getSamples(0, 0, width, height, 0, (int[]) null);
        int bits = model.getComponentSize(0);
        int largest = (1 << bits) - 1;
        for (int i = 0; i < samples.length; i++) {
            out[offset + i] = (byte) (bits == 8 ? samples[i] : Math.round(samples[i] * 255f / largest));
        }
    }

    private static <T> T withReader(Path file, ReaderTask<T> task) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new DatasetException("cannot open " + file + "; check that it exists and is readable");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetException(
                        file + " is not an image ImageIO can read (PNG or JPEG expected); replace or delete it");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return task.apply(reader);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DatasetException dataset) {
                throw dataset;
            }
            // decoders report damaged files with runtime exceptions as well as IIOException
            throw new DatasetException("cannot decode " + file + " (" + e + "); replace or delete the file", e);
        }
    }
}
