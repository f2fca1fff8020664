package dev.tailor.data;

import java.io.Serial;

/**
 * A dataset that cannot be used. The message names the file at fault and says what to do about it, because it is
 * shown as-is to whoever submitted the training job.
 */
public class DatasetException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
