package dev.tailor.specialize;

import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.CatalogueEvents;
import dev.tailor.predictor.AccuracyPredictor;
import dev.tailor.predictor.CachedAccuracyScorer;
import dev.tailor.predictor.PredictorFit;
import dev.tailor.predictor.PredictorReport;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * A supernet's accuracy predictors: fitted on its catalogue's validation accuracies, stored as
 * versioned artifacts tied to the rows they saw, refitted when the catalogue grows. The newest one
 * is kept in memory with its score cache, so that searches score without touching the database.
 */
@Component
public class PredictorStore {

    private static final Logger log = LoggerFactory.getLogger(PredictorStore.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String MEDIA_TYPE = "application/vnd.tailor.accuracy-predictor";

    private final JdbcClient jdbc;
    private final ArtifactRepository artifacts;
    private final TransactionTemplate transactions;
    private final int minRows;
    private final LoadedPredictors loaded = new LoadedPredictors();

    PredictorStore(
            JdbcClient jdbc,
            ArtifactRepository artifacts,
            TransactionTemplate transactions,
            @Value("${tailor.predictor.min-rows:50}") int minRows) {
        this.jdbc = jdbc;
        this.artifacts = artifacts;
        this.transactions = transactions;
        if (minRows < dev.tailor.predictor.PredictorFit.MIN_ROWS) {
            // below it a fit on a young catalogue threw, and every specialization failed instead of waiting
            throw new dev.tailor.InvalidSettingException(
                    "tailor.predictor.min-rows",
                    "must be at least " + dev.tailor.predictor.PredictorFit.MIN_ROWS
                            + " (a predictor is fitted on some rows and scored on the others); got " + minRows);
        }
        this.minRows = minRows;
    }

    /** A stored predictor version and how it did on its held-out rows. */
    public record Version(
            UUID id,
            UUID supernetId,
            int version,
            String artifactSha256,
            int rowsSeen,
            String rowsSha256,
            PredictorReport report,
            OffsetDateTime createdAt) {}

    /** A predictor ready to score, with its version. */
    public record Loaded(Version version, CachedAccuracyScorer scorer) {}

    /** A catalogue row the predictor learns from. */
    record Row(long subnetId, SubnetConfig config, double accuracy, int images, long macs) {}

    public int minRows() {
        return minRows;
    }

    /** How many evaluated subnets the supernet's catalogue holds. */
    public int catalogueRows(UUID supernetId) {
        return jdbc.sql(
                        "select count(distinct s.id) from subnet s join evaluation e on e.subnet_id = s.id"
                                + " join subnet_cost c on c.subnet_id = s.id where s.supernet_id = ? and e.split = 'VALIDATION'")
                .param(supernetId)
                .query(Integer.class)
                .single();
    }

    /** The newest stored version, if any. */
    public Optional<Version> newest(UUID supernetId) {
        return jdbc.sql("select id, supernet_id, version, artifact_sha256, rows_seen, rows_sha256, report::text,"
                        + " created_at from accuracy_predictor where supernet_id = ? order by version desc limit 1")
                .param(supernetId)
                .query((rs, row) -> new Version(
                        rs.getObject(1, UUID.class),
                        rs.getObject(2, UUID.class),
                        rs.getInt(3),
                        rs.getString(4),
                        rs.getInt(5),
                        rs.getString(6),
                        JSON.readValue(rs.getString(7), PredictorReport.class),
                        rs.getObject(8, OffsetDateTime.class)))
                .optional();
    }

    /**
     * The predictor to search with: the newest version, refitted first when the catalogue has grown
     * by a quarter since it was fitted; empty while the catalogue has fewer than {@link #minRows()}
     * rows. Single exports add a row each and do not refit it (a refit changes the answers, so
     * stored specializations would no longer be the ones asked for again); builds refit at their end.
     */
    public Optional<Loaded> current(UUID supernetId, SearchSpace space) {
        return current(supernetId, space, REFIT_GROWTH);
    }

    /** Growth of the catalogue, as a factor of the rows a predictor saw, that refits it on request. */
    static final double REFIT_GROWTH = 1.25;

    private synchronized Optional<Loaded> current(UUID supernetId, SearchSpace space, double growth) {
        Optional<Version> newest = newest(supernetId);
        int rows = catalogueRows(supernetId);
        if (rows >= minRows
                && (newest.isEmpty()
                        || rows
                                >= Math.max(
                                        newest.get().rowsSeen() + 1,
                                        newest.get().rowsSeen() * growth))) {
            newest = Optional.of(fit(supernetId, space));
        }
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        Version version = newest.get();
        Loaded cached = loaded.get(supernetId);
        if (cached != null && cached.version().id().equals(version.id())) {
            return Optional.of(cached);
        }
        byte[] bytes = artifacts
                .findById(version.artifactSha256())
                .orElseThrow(() ->
                        new IllegalStateException("predictor artifact " + version.artifactSha256() + " is missing"))
                .getContent();
        Loaded fresh = new Loaded(version, new CachedAccuracyScorer(AccuracyPredictor.fromBytes(bytes), space));
        loaded.put(supernetId, fresh);
        return Optional.of(fresh);
    }

    /** Fits a new version on every evaluated row of the catalogue and stores it. */
    synchronized Version fit(UUID supernetId, SearchSpace space) {
        List<Row> rows = rows(supernetId, space);
        int n = rows.size();
        StringBuilder seen = new StringBuilder();
        for (Row row : rows) {
            seen.append(row.subnetId()).append(':').append(row.accuracy()).append(';');
        }
        long started = System.nanoTime();
        PredictorFit.Fitted fitted = fitOn(rows, space, SERVED_SPLIT_SEED);
        double seconds = (System.nanoTime() - started) / 1e9;
        Artifact artifact = Artifact.of(fitted.predictor().toBytes(), MEDIA_TYPE);
        String rowsSha = Artifact.sha256(seen.toString().getBytes(StandardCharsets.UTF_8));
        store(supernetId, artifact, n, rowsSha, fitted.report());
        PredictorReport r = fitted.report();
        log.info(
                "Accuracy predictor of supernet {} fitted on {} rows in {} s: held-out RMSE {} points (noise floor {},"
                        + " MACs fit {}), Kendall tau {}",
                supernetId,
                n,
                String.format(java.util.Locale.ROOT, "%.1f", seconds),
                String.format(java.util.Locale.ROOT, "%.2f", r.rmsePoints()),
                String.format(java.util.Locale.ROOT, "%.2f", r.noiseFloorPoints()),
                String.format(java.util.Locale.ROOT, "%.2f", r.macsRmsePoints()),
                String.format(java.util.Locale.ROOT, "%.3f", r.kendallTau()));
        return newest(supernetId).orElseThrow();
    }

    /**
     * Stores a fitted version as the supernet's next. Two replicas may fit at once (each refits when
     * its catalogue build ends or a request finds the predictor stale): without the lock both took
     * the same next number and the later failed on the unique key, its fit wasted; with it the later
     * waits for the first to commit and takes the number after.
     */
    void store(UUID supernetId, Artifact artifact, int rowsSeen, String rowsSha, PredictorReport report) {
        transactions.executeWithoutResult(status -> {
            jdbc.sql("select pg_advisory_xact_lock(?)")
                    .param(VERSION_LOCK ^ supernetId.getMostSignificantBits() ^ supernetId.getLeastSignificantBits())
                    .query()
                    .singleRow();
            artifacts.storeIfAbsent(artifact);
            artifacts.flush();
            jdbc.sql(
                            "insert into accuracy_predictor (id, supernet_id, version, artifact_sha256, rows_seen, rows_sha256,"
                                    + " report) values (?, ?, (select coalesce(max(version), 0) + 1 from accuracy_predictor"
                                    + " where supernet_id = ?), ?, ?, ?, ?::jsonb)")
                    .params(
                            UUID.randomUUID(),
                            supernetId,
                            supernetId,
                            artifact.getSha256(),
                            rowsSeen,
                            rowsSha,
                            JSON.writeValueAsString(report))
                    .update();
        });
    }

    /** Keeps the versions' lock apart from other advisory locks keyed by the same supernet. */
    private static final long VERSION_LOCK = 0x7072656469637472L;

    /**
     * How much the held-out figures depend on which fifth of the catalogue is held out: the same rows fitted
     * and scored with other split seeds (the served predictor uses {@link #SERVED_SPLIT_SEED}). Nothing is
     * stored; benchmarks report the spread beside the served version's figures.
     */
    public List<PredictorReport> otherSplits(UUID supernetId, SearchSpace space, int splits) {
        List<Row> rows = rows(supernetId, space);
        return java.util.stream.LongStream.rangeClosed(SERVED_SPLIT_SEED + 1, SERVED_SPLIT_SEED + splits)
                .mapToObj(seed -> fitOn(rows, space, seed).report())
                .toList();
    }

    /** The seed of the served predictor's split and weights. */
    static final long SERVED_SPLIT_SEED = 1L;

    private static PredictorFit.Fitted fitOn(List<Row> rows, SearchSpace space, long seed) {
        int n = rows.size();
        float[][] encodings = new float[n][];
        double[] accuracies = new double[n];
        int[] images = new int[n];
        long[] macs = new long[n];
        for (int i = 0; i < n; i++) {
            Row row = rows.get(i);
            encodings[i] = space.encode(row.config());
            accuracies[i] = row.accuracy();
            images[i] = row.images();
            macs[i] = row.macs();
        }
        return PredictorFit.fit(encodings, accuracies, images, macs, seed);
    }

    List<Row> rows(UUID supernetId, SearchSpace space) {
        return jdbc
                .sql("""
                        select s.id, s.config::text, v.top1_accuracy, v.sample_count, c.macs
                        from subnet s
                        join subnet_cost c on c.subnet_id = s.id
                        join lateral (select e.top1_accuracy, e.sample_count from evaluation e
                                      where e.subnet_id = s.id and e.split = 'VALIDATION'
                                      order by e.created_at desc, e.id desc limit 1) v on true
                        where s.supernet_id = ?
                        order by s.id""")
                .param(supernetId)
                .query((rs, row) -> new Row(
                        rs.getLong(1),
                        SubnetConfig.parse(rs.getString(2)),
                        rs.getDouble(3),
                        rs.getInt(4),
                        rs.getLong(5)))
                .list()
                .stream()
                .filter(row -> space.violations(row.config()).isEmpty())
                .toList();
    }

    /** A build that added rows refits the predictor, so the next search uses them. */
    @EventListener
    void catalogueGrew(CatalogueEvents.CatalogueGrew grew) {
        try {
            String spec = jdbc.sql("select space_spec::text from supernet where id = ?")
                    .param(grew.supernetId())
                    .query(String.class)
                    .single();
            // at a build's end every new row counts; part-way through, the usual growth rule applies
            current(grew.supernetId(), SearchSpace.fromJson(spec), grew.buildFinished() ? 1 : REFIT_GROWTH);
        } catch (RuntimeException e) {
            log.warn("Could not refit the accuracy predictor of supernet {}: {}", grew.supernetId(), e.getMessage());
        }
    }
}
