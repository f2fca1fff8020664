package dev.tailor.catalogue;

import org.springframework.data.jpa.repository.JpaRepository;

public interface TrainingJobRepository extends JpaRepository<TrainingJob, java.util.UUID> {}
