package dev.tailor.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class TrainingDeviceTest {

    private static final Supplier<TrainingDevice.GpuProbe> CPU_BUILD =
            () -> new TrainingDevice.GpuProbe(false, 0, null);
    private static final Supplier<TrainingDevice.GpuProbe> TWO_GPUS =
            () -> new TrainingDevice.GpuProbe(true, 2, "/opt");

    @Test
    void theCpuNeedsNoProbeOfLibtorch() {
        AtomicInteger probes = new AtomicInteger();
        TrainingDevice cpu = TrainingDevice.resolve(" CPU ", () -> {
            probes.incrementAndGet();
            return CPU_BUILD.get();
        });
        assertThat(cpu.device()).isEqualTo(Device.cpu());
        assertThat(cpu).hasToString("cpu");
        assertThat(probes).hasValue(0);
    }

    @Test
    void gpuNamesTheFirstOrTheNumberedGpuLibtorchSees() {
        assertThat(TrainingDevice.resolve("gpu", TWO_GPUS).device()).isEqualTo(Device.gpu(0));
        assertThat(TrainingDevice.resolve("gpu", TWO_GPUS)).hasToString("gpu:0");
        assertThat(TrainingDevice.resolve("gpu:1", TWO_GPUS).device()).isEqualTo(Device.gpu(1));
        assertThatThrownBy(() -> TrainingDevice.resolve("gpu:2", TWO_GPUS))
                .isInstanceOf(TrainingDevice.Unavailable.class)
                .hasMessage("'gpu:2': libtorch sees 2 GPUs, numbered from 0");
    }

    @Test
    void anUnknownDeviceIsRefusedWithTheOnesThatExist() {
        for (String bad : new String[] {"tpu", "", "gpu:", "gpu:-1", "gpu:x", "cuda"}) {
            assertThatThrownBy(() -> TrainingDevice.resolve(bad, TWO_GPUS))
                    .as(bad)
                    .isInstanceOf(TrainingDevice.Unavailable.class)
                    .hasMessageContaining("is not a training device; use cpu (the default), gpu, or gpu:N");
        }
    }

    @Test
    void aGpuWhereLibtorchHasNoneIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> TrainingDevice.resolve("gpu", CPU_BUILD))
                .isInstanceOf(TrainingDevice.Unavailable.class)
                .hasMessageContaining("the libtorch Tailor carries is its CPU build")
                .hasMessageContaining(
                        "PYTORCH_LIBRARY_PATH=<its lib directory> PYTORCH_VERSION=2.7.1" + " PYTORCH_FLAVOR=cu128");
        assertThatThrownBy(() ->
                        TrainingDevice.resolve("gpu", () -> new TrainingDevice.GpuProbe(false, 0, "/opt/libtorch/lib")))
                .hasMessageContaining("the libtorch in PYTORCH_LIBRARY_PATH=/opt/libtorch/lib is a CPU build");
        assertThatThrownBy(() -> TrainingDevice.resolve("gpu", () -> new TrainingDevice.GpuProbe(true, 0, "/opt")))
                .hasMessageContaining("is a CUDA build but sees no GPU")
                .hasMessageContaining("nvidia-smi");
    }

    @Test
    void theEnginesOwnProbeReadsTheCpuBuildTheJarPins() {
        // the pom pins pytorch-native-cpu; the test JVM is started without PYTORCH_LIBRARY_PATH (pom.xml)
        assertThat(System.getenv("PYTORCH_LIBRARY_PATH")).isNull();
        TrainingDevice.GpuProbe probe = TrainingDevice.GpuProbe.ofEngine();
        assertThat(probe.cudaBuild()).isFalse();
        assertThat(probe.gpus()).isZero();
        assertThat(Engine.getEngine("PyTorch").getVersion()).isEqualTo(TrainingDevice.LIBTORCH);
    }
}
