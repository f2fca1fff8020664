package dev.tailor.catalogue;

import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

public interface TrainingJobRepository extends JpaRepository<TrainingJob, UUID> {

    List<TrainingJob> findByStateOrderByCreatedAtDesc(JobState state);

    boolean existsByState(JobState state);

    java.util.Optional<TrainingJob> findFirstBySupernetIdOrderByCreatedAtDesc(UUID supernetId);
}
