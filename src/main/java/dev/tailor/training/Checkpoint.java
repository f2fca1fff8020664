package dev.tailor.training;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A run's whole state after an epoch, or part-way through one when a stop kept the steps it had
 * done ({@code stepsIntoEpoch} of epoch {@code epochsCompleted}): where it is (epoch, step, phase,
 * ε, seed), what it was asked for, the search space and data it trains on, and, as separate entries, the supernet's weights and
 * running statistics, the optimizer's momentum and a frozen teacher where the schedule has one.
 * {@code exitHeads} says how to rebuild the supernet; {@code scheduleState} holds what an adaptive
 * schedule decided (null for the others).
 * Stored as a zip whose entries carry no timestamps, so the same state gives the same bytes.
 */
public record Checkpoint(
        int formatVersion,
        String schedule,
        TrainingOptions options,
        String searchSpace,
        String datasetName,
        List<String> classNames,
        float[] normalizationMean,
        float[] normalizationStd,
        int epochsCompleted,
        long globalStep,
        String phase,
        double epsilon,
        int exitHeads,
        String scheduleState,
        // absent at an epoch's end, so those checkpoints keep format 2 and their bytes (older readers take them)
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) int stepsIntoEpoch,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) double epochLossSum) {

    /** The format of a checkpoint at an epoch's end. */
    public static final int FORMAT_VERSION = 2;
    /**
     * The format of one part-way through an epoch: a reader of format 2 alone would take it for the
     * epoch's start and train its first steps twice, so it refuses it instead.
     */
    public static final int PART_EPOCH_FORMAT_VERSION = 3;

    public static final String MEDIA_TYPE = "application/vnd.tailor.checkpoint+zip";

    private static final String STATE = "state.json";
    private static final String SUPERNET = "supernet.ndlist";
    private static final String OPTIMIZER = "optimizer.ndlist";
    private static final String TEACHER = "teacher.ndlist";
    // a checkpoint at an epoch's end leaves out stepsIntoEpoch and epochLossSum: read as 0
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** The arrays that go with a checkpoint; {@code teacher} may be null. */
    record Arrays(NDList supernet, NDList optimizer, NDList teacher) {}

    byte[] write(Arrays arrays) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, STATE, JSON.writeValueAsBytes(this));
            entry(zip, SUPERNET, arrays.supernet().encode());
            entry(zip, OPTIMIZER, arrays.optimizer().encode());
            if (arrays.teacher() != null) {
                entry(zip, TEACHER, arrays.teacher().encode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTime(0);
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    /** A checkpoint read back: its state and its arrays, on {@code manager}. */
    record Loaded(Checkpoint state, Arrays arrays) {}

    /** Reads a checkpoint; anything that is not one gives an IllegalArgumentException saying why. */
    static Loaded read(byte[] bytes, NDManager manager) {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("checkpoint is not a readable zip: " + e.getMessage());
        }
        if (!entries.containsKey(STATE) || !entries.containsKey(SUPERNET) || !entries.containsKey(OPTIMIZER)) {
            throw new IllegalArgumentException("checkpoint lacks " + STATE + ", " + SUPERNET + " or " + OPTIMIZER
                    + "; is it a Tailor checkpoint?");
        }
        Checkpoint state;
        try {
            state = JSON.readValue(new String(entries.get(STATE), StandardCharsets.UTF_8), Checkpoint.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("checkpoint state is not valid: " + e.getMessage());
        }
        int expected = state.stepsIntoEpoch() > 0 ? PART_EPOCH_FORMAT_VERSION : FORMAT_VERSION;
        if (state.formatVersion() != expected) {
            throw new IllegalArgumentException("checkpoint format " + state.formatVersion() + " is not "
                    + expected + ", the one this Tailor reads for a checkpoint "
                    + (state.stepsIntoEpoch() > 0 ? "part-way through an epoch" : "at an epoch's end"));
        }
        try {
            return new Loaded(
                    state,
                    new Arrays(
                            NDList.decode(manager, entries.get(SUPERNET)),
                            NDList.decode(manager, entries.get(OPTIMIZER)),
                            entries.containsKey(TEACHER) ? NDList.decode(manager, entries.get(TEACHER)) : null));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("checkpoint arrays are corrupt: " + e.getMessage());
        }
    }

    /** Only the state, without decoding any array. */
    public static Checkpoint readState(byte[] bytes) {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals(STATE)) {
                    return JSON.readValue(new String(zip.readAllBytes(), StandardCharsets.UTF_8), Checkpoint.class);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("checkpoint is not readable: " + e.getMessage());
        }
        throw new IllegalArgumentException("checkpoint has no " + STATE);
    }
}
