package dev.tailor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real {@code serve} process on the test class path, on a test context's home (so on its
 * embedded PostgreSQL), for fault tests that {@code kill -9} a whole service. Its job schedulers
 * heartbeat every 2 s, so a killed one's work is revived about 12 s later.
 */
public record ServiceProcess(Process process, int port, Path log) {

    public static ServiceProcess start(Path home, String name) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = home.toAbsolutePath().resolve("service-" + name + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        // ONNX Runtime unpacks its natives (28 MB) into java.io.tmpdir and a killed process leaves them: keep
        // them under the test home, not in /tmp
        Path tmp = Files.createDirectories(home.toAbsolutePath().resolve("tmp"));
        Process process = new ProcessBuilder(
                        java,
                        "-Xmx1g",
                        "-XX:TieredStopAtLevel=1",
                        "-Dai.djl.offline=true",
                        "-Dtailor.home=" + home.toAbsolutePath(),
                        "-Djava.io.tmpdir=" + tmp,
                        "-Dtailor.bootstrap.enabled=false",
                        "-Dtailor.worker.heartbeat=PT2S",
                        "-Dserver.port=" + port,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.tailor.TailorApplication",
                        "serve")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ServiceProcess service = new ServiceProcess(process, port, log);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            assertThat(process.isAlive())
                    .as("service %s exited; its log: %s", name, log)
                    .isTrue();
            try {
                HttpResponse<Void> ready = client().send(
                                HttpRequest.newBuilder(service.uri("/actuator/health/readiness"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return service;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime())
                    .as("service %s ready in 3 minutes", name)
                    .isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    /** A client per request: a killed service's connections die with it. */
    public static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook runs, nothing is handed back. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM, as Kubernetes stops a pod: shutdown hooks run; waits for the process to end (a minute at most). */
    public void terminate() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                .as("the service ended within a minute of SIGTERM; its log: %s", log)
                .isTrue();
    }

    /** The name its job schedulers write into the job tables' picked_by (host#pid). */
    public String schedulerSuffix() {
        return "#" + process.pid();
    }
}
