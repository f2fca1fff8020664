package dev.tailor.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Where a run trains: the CPU (the default) or a CUDA GPU of DJL's PyTorch engine. The jar carries
 * libtorch's CPU build; DJL 0.35.1 has no CUDA natives on Maven Central, so a GPU needs a CUDA build
 * of the same libtorch on the host, named by {@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_VERSION}
 * and {@code PYTORCH_FLAVOR} (DJL's jni jar carries the matching {@code cu128} bridge).
 *
 * @param name {@code cpu} or {@code gpu:N} ({@code gpu} is {@code gpu:0})
 */
public record TrainingDevice(String name, Device device) {

    public static final TrainingDevice CPU = new TrainingDevice("cpu", Device.cpu());

    /** The libtorch build DJL 0.35.1's jni bridge is made for. */
    static final String LIBTORCH = "2.7.1";

    static final String FLAVOR = "cu128";

    /** What libtorch here can do: whether it is a CUDA build, and how many GPUs it sees. */
    public record GpuProbe(boolean cudaBuild, int gpus, String libraryPath) {

        /** Asks DJL's PyTorch engine (loads libtorch when nothing has yet). */
        public static GpuProbe ofEngine() {
            Engine engine = Engine.getEngine("PyTorch");
            return new GpuProbe(
                    engine.hasCapability(StandardCapabilities.CUDA),
                    engine.getGpuCount(),
                    System.getenv("PYTORCH_LIBRARY_PATH"));
        }
    }

    /** The device named cannot be used here; the message says what to do. */
    public static final class Unavailable extends IllegalArgumentException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** {@code cpu}, {@code gpu} or {@code gpu:N}, checked against libtorch as DJL loaded it. */
    public static TrainingDevice resolve(String name) {
        return resolve(name, GpuProbe::ofEngine);
    }

    /** As {@link #resolve(String)}; {@code probe} is asked only for a GPU. */
    public static TrainingDevice resolve(String name, Supplier<GpuProbe> probe) {
        String given = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (given.equals("cpu")) {
            return CPU;
        }
        int index;
        if (given.equals("gpu")) {
            index = 0;
        } else if (given.matches("gpu:[0-9]{1,3}")) {
            index = Integer.parseInt(given.substring(4));
        } else {
            throw new Unavailable("'" + name + "' is not a training device; use cpu (the default), gpu, or gpu:N for"
                    + " the N-th GPU (counting from 0)");
        }
        GpuProbe gpus = probe.get();
        if (gpus.gpus() == 0) {
            throw new Unavailable(noGpu(gpus));
        }
        if (index >= gpus.gpus()) {
            throw new Unavailable("'" + name + "': libtorch sees " + gpus.gpus() + " GPU"
                    + (gpus.gpus() == 1 ? "" : "s") + ", numbered from 0");
        }
        return new TrainingDevice("gpu:" + index, Device.gpu(index));
    }

    static String noGpu(GpuProbe probe) {
        String setUp = "install libtorch " + LIBTORCH + " for CUDA 12.8 on this host and start Tailor with"
                + " PYTORCH_LIBRARY_PATH=<its lib directory> PYTORCH_VERSION=" + LIBTORCH + " PYTORCH_FLAVOR="
                + FLAVOR;
        if (probe.cudaBuild()) {
            return "libtorch here is a CUDA build but sees no GPU: check the NVIDIA driver (nvidia-smi) and"
                    + " CUDA_VISIBLE_DEVICES, or train on the cpu";
        }
        if (probe.libraryPath() != null && !probe.libraryPath().isBlank()) {
            return "no GPU: the libtorch in PYTORCH_LIBRARY_PATH=" + probe.libraryPath()
                    + " is a CPU build; to train on a GPU, " + setUp;
        }
        return "no GPU: the libtorch Tailor carries is its CPU build (DJL 0.35.1 has no CUDA natives on Maven"
                + " Central); to train on a GPU, " + setUp + "; the cpu (the default) needs none of this";
    }

    @Override
    public String toString() {
        return name;
    }
}
