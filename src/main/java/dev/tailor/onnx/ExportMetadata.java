package dev.tailor.onnx;

import java.util.List;

/**
 * What an exported model says about itself in {@code metadata_props}, so a deployment needs no
 * catalogue to use it: where it came from, how to prepare its input, what its outputs mean and
 * what it was measured to do.
 *
 * @param normalizationMean per channel, applied to pixels scaled to [0, 1]: {@code (p - mean) / std}
 * @param validationTop1 the catalogue's measured accuracy, null when none was measured
 * @param testTop1 the catalogue's measured accuracy, null when none was measured
 */
public record ExportMetadata(
        String supernetId,
        String configJson,
        String configSha256,
        String dataset,
        float[] normalizationMean,
        float[] normalizationStd,
        List<String> classNames,
        Double validationTop1,
        Double testTop1,
        long macs) {

    public ExportMetadata {
        classNames = List.copyOf(classNames);
    }
}
