package dev.tailor.catalogue;

import org.springframework.data.jpa.repository.JpaRepository;

public interface EvaluationRepository extends JpaRepository<Evaluation, Long> {

    boolean existsBySubnetId(Long subnetId);

    boolean existsBySubnetIdAndSplit(Long subnetId, Split split);
}
