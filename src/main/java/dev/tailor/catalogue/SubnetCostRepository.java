package dev.tailor.catalogue;

import org.springframework.data.jpa.repository.JpaRepository;

public interface SubnetCostRepository extends JpaRepository<SubnetCost, Long> {}
