package dev.tailor.data;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a supernet was trained on, as a SHA-256 of the content of both splits. A checkpoint is only
 * meaningful with its dataset: resumed on other data it trains on something else, and its
 * validation split and calibration sample (drawn by index) would be other images.
 */
public final class DatasetFingerprint {

    private DatasetFingerprint() {}

    public static String of(TrainTest data) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("tailor-dataset-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            data.train().digest(digest);
            data.test().digest(digest);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A refusal that says which supernet, which data, and what to do. */
    public static String mismatch(String supernet, String recorded, String found, String where) {
        return "the dataset at " + where + " is not the one supernet " + supernet + " was trained on (content SHA-256 "
                + recorded.substring(0, 12) + "..., found " + found.substring(0, 12) + "...); point --dataset or"
                + " TAILOR_DATASET_DIR at the data it was trained on";
    }
}
