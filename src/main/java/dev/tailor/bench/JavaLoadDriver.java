package dev.tailor.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed model in this JVM: one thread per client on one {@link HttpClient} (HTTP/1.1, a connection
 * each), each sending its next request when the last answer is read; latency from send to the last
 * byte of the body, in an HdrHistogram. On a small machine the driver's own threads take a share of
 * the cores from the service, which {@link WrkLoadDriver} does not.
 */
final class JavaLoadDriver implements LoadDriver {

    private final URI server;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    JavaLoadDriver(URI server, String key) {
        this.server = server;
        this.key = key;
    }

    @Override
    public String description(int clients) {
        return "Closed model in Java: " + clients + " client threads on one HttpClient (HTTP/1.1, one connection"
                + " each), each sending its next request when the last answer is read; latency from send to the"
                + " last byte of the body (read and dropped), in an HdrHistogram.";
    }

    @Override
    public LoadResult drive(LoadScenario scenario, int clients, int seconds) {
        Recorder recorder = new Recorder(3);
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch done = new CountDownLatch(clients);
        long started = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        long sent = System.nanoTime();
                        boolean ok;
                        try {
                            // the whole body is read, and dropped as it comes: the driver keeps no copies
                            HttpResponse<Void> response =
                                    http.send(request(scenario), HttpResponse.BodyHandlers.discarding());
                            ok = response.statusCode() == scenario.expected();
                            if (!ok) {
                                firstError.compareAndSet(null, "status " + response.statusCode());
                            }
                        } catch (IOException e) {
                            ok = false;
                            firstError.compareAndSet(null, e.toString());
                        }
                        recorder.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
                        requests.incrementAndGet();
                        if (!ok) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
            thread.start();
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (firstError.get() != null) {
            // the count alone would not say whether the service or the connection failed
            System.err.println("bench load: " + scenario.name() + ": " + errors.get() + " error(s), the first: "
                    + firstError.get());
        }
        Histogram h = recorder.getIntervalHistogram();
        return new LoadResult(
                requests.get(),
                errors.get(),
                elapsed,
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(90) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3,
                h.getMaxValue() / 1e3);
    }

    private HttpRequest request(LoadScenario scenario) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(server.resolve(scenario.path())).timeout(Duration.ofSeconds(30));
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        if (scenario.body() == null) {
            return builder.GET().build();
        }
        return builder.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(scenario.body()))
                .build();
    }
}
