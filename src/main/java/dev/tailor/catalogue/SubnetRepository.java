package dev.tailor.catalogue;

import org.springframework.data.jpa.repository.JpaRepository;

public interface SubnetRepository extends JpaRepository<Subnet, Long> {
    java.util.Optional<Subnet> findBySupernetIdAndConfigSha256(java.util.UUID supernetId, String configSha256);
}
