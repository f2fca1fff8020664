package dev.tailor.catalogue;

import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

public interface TrainingJobRepository extends JpaRepository<TrainingJob, UUID> {

    List<TrainingJob> findByStateOrderByCreatedAtDesc(JobState state);

    boolean existsByState(JobState state);

    /**
     * Whether some process is training a job now: a RUNNING job whose advisory lock is held (the
     * jobs package's AdvisoryLock, keyed by the id's high 64 bits XOR its low 64). A job left RUNNING
     * by a stopped {@code train} holds none, so it does not count as training for ever.
     */
    @org.springframework.data.jpa.repository.Query(nativeQuery = true, value = """
                    select exists (
                      select 1 from training_job j
                      join pg_locks l on l.locktype = 'advisory' and l.granted and l.objsubid = 1
                       and ((l.classid::bigint << 32) | l.objid::bigint)
                         = (('x' || substr(replace(j.id::text, '-', ''), 1, 16))::bit(64)::bigint
                            # ('x' || substr(replace(j.id::text, '-', ''), 17, 16))::bit(64)::bigint)
                      where j.state = 'RUNNING')
                    """)
    boolean trainingNow();

    java.util.Optional<TrainingJob> findFirstBySupernetIdOrderByCreatedAtDesc(UUID supernetId);
}
