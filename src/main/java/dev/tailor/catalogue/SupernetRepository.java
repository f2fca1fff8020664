package dev.tailor.catalogue;

import org.springframework.data.jpa.repository.JpaRepository;

public interface SupernetRepository extends JpaRepository<Supernet, java.util.UUID> {}
