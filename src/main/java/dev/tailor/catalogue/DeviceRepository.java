package dev.tailor.catalogue;

import org.springframework.data.jpa.repository.JpaRepository;

public interface DeviceRepository extends JpaRepository<Device, Long> {
    java.util.Optional<Device> findByName(String name);

    boolean existsByName(String name);
}
