package dev.tailor.jobs;

import dev.tailor.catalogue.JobState;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The catalogue_build table: one row per build with its state and progress. */
@Component
public class CatalogueBuilds {

    private static final String COLUMNS =
            "id, supernet_id, state, subnets, seed, done, progress::text, error, attempts, created_at, updated_at";

    private final JdbcClient jdbc;

    CatalogueBuilds(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A build as stored. {@code progress} is JSON (rate, ETA, last subnet) or null before it starts. */
    public record Build(
            UUID id,
            UUID supernetId,
            JobState state,
            int subnets,
            long seed,
            int done,
            String progress,
            String error,
            int attempts,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {

        public boolean finished() {
            return state == JobState.SUCCEEDED || state == JobState.FAILED || state == JobState.CANCELLED;
        }
    }

    Build insert(UUID supernetId, int subnets, long seed) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into catalogue_build (id, supernet_id, state, subnets, seed) values (?, ?, 'QUEUED', ?, ?)")
                .params(id, supernetId, subnets, seed)
                .update();
        return find(id).orElseThrow();
    }

    public Optional<Build> find(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from catalogue_build where id = ?")
                .param(id)
                .query(CatalogueBuilds::row)
                .optional();
    }

    /** Builds of a supernet, newest first. */
    public List<Build> ofSupernet(UUID supernetId, int page, int size) {
        return jdbc.sql("select " + COLUMNS + " from catalogue_build where supernet_id = ?"
                        + " order by created_at desc, id limit ? offset ?")
                .params(supernetId, size, (long) page * size)
                .query(CatalogueBuilds::row)
                .list();
    }

    public long countOfSupernet(UUID supernetId) {
        return jdbc.sql("select count(*) from catalogue_build where supernet_id = ?")
                .param(supernetId)
                .query(Long.class)
                .single();
    }

    /** The newest build of the supernet that has not finished, if any. */
    public Optional<Build> unfinished(UUID supernetId) {
        return jdbc.sql("select " + COLUMNS + " from catalogue_build where supernet_id = ?"
                        + " and state in ('QUEUED', 'RUNNING') order by created_at desc limit 1")
                .param(supernetId)
                .query(CatalogueBuilds::row)
                .optional();
    }

    /** The build's {@code error} once cancelled. */
    static final String CANCELLED = "cancelled by an operator";

    /** Cancels a queued or running build; false if there is none such (unknown or finished). */
    boolean cancel(UUID id) {
        return jdbc.sql("update catalogue_build set state = 'CANCELLED', error = ?, updated_at = now()"
                                + " where id = ? and state in ('QUEUED', 'RUNNING')")
                        .params(CANCELLED, id)
                        .update()
                == 1;
    }

    // start and finish leave a cancelled build as it is, and they and progress say so (false): its run stops

    boolean start(UUID id, int done) {
        return jdbc.sql("update catalogue_build set state = 'RUNNING', attempts = attempts + 1, done = ?,"
                                + " error = null, updated_at = now() where id = ? and state <> 'CANCELLED'")
                        .params(done, id)
                        .update()
                == 1;
    }

    /** Stores how far the build got, cancelled or not (its rows are kept); false once it is cancelled. */
    boolean progress(UUID id, int done, String progressJson) {
        return jdbc.sql("update catalogue_build set done = ?, progress = ?::jsonb, updated_at = now()"
                        + " where id = ? returning state <> 'CANCELLED'")
                .params(done, progressJson, id)
                .query(Boolean.class)
                .optional()
                .orElse(false);
    }

    /** Says on an unfinished build why it waits (it stays queued or running and is tried again). */
    void waiting(UUID id, String why) {
        jdbc.sql("update catalogue_build set error = ?, updated_at = now()"
                        + " where id = ? and state in ('QUEUED', 'RUNNING')")
                .params(why, id)
                .update();
    }

    boolean finish(UUID id, JobState state, String error) {
        return jdbc.sql("update catalogue_build set state = ?, error = ?, updated_at = now()"
                                + " where id = ? and state <> 'CANCELLED'")
                        .params(state.name(), error, id)
                        .update()
                == 1;
    }

    private static Build row(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Build(
                rs.getObject(1, UUID.class),
                rs.getObject(2, UUID.class),
                JobState.valueOf(rs.getString(3)),
                rs.getInt(4),
                rs.getLong(5),
                rs.getInt(6),
                rs.getString(7),
                rs.getString(8),
                rs.getInt(9),
                rs.getObject(10, OffsetDateTime.class),
                rs.getObject(11, OffsetDateTime.class));
    }
}
