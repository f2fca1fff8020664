package dev.tailor.catalogue;

import org.springframework.data.jpa.repository.JpaRepository;

public interface LatencyMeasurementRepository extends JpaRepository<LatencyMeasurement, Long> {}
