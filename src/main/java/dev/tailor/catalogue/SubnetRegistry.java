package dev.tailor.catalogue;

import dev.tailor.cost.SubnetCosts;
import dev.tailor.space.SubnetConfig;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The one place a subnet enters the catalogue with its evaluation and costs: training
 * registration, catalogue builds and exports all come through here. Each call is idempotent: a
 * subnet, its costs and its evaluation on a split are written once, so a step repeated after a
 * crash adds nothing twice.
 */
@Component
public class SubnetRegistry {

    private final SupernetRepository supernets;
    private final SubnetRepository subnets;
    private final EvaluationRepository evaluations;
    private final SubnetCostRepository costs;
    private final JdbcClient jdbc;

    SubnetRegistry(
            SupernetRepository supernets,
            SubnetRepository subnets,
            EvaluationRepository evaluations,
            SubnetCostRepository costs,
            JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.supernets = supernets;
        this.subnets = subnets;
        this.evaluations = evaluations;
        this.costs = costs;
    }

    /** A measured top-1 on one split (a fraction) and how many images it was counted on. */
    public record Measured(Split split, double top1, int images) {}

    /**
     * Finds or creates the subnet of {@code config}, stores its costs if it has none and each
     * measurement whose split it has no evaluation for yet. Joins the caller's transaction.
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public Subnet register(UUID supernetId, SubnetConfig config, SubnetCosts counted, Measured... measured) {
        // a catalogue build and an export (or two exports) may register one config at once: without
        // this they both found none, both inserted, and the later failed on the unique key when the
        // first committed (a build then failed for good); held until the caller's transaction ends
        jdbc.sql("select pg_advisory_xact_lock(?)")
                .param(supernetId.getMostSignificantBits()
                        ^ supernetId.getLeastSignificantBits()
                        ^ Long.parseUnsignedLong(config.sha256().substring(0, 16), 16))
                .query()
                .singleRow();
        Subnet subnet = subnets.findBySupernetIdAndConfigSha256(supernetId, config.sha256())
                .orElseGet(
                        () -> subnets.save(new Subnet(supernets.getReferenceById(supernetId), config.canonicalJson())));
        if (!costs.existsById(subnet.getId())) {
            costs.save(new SubnetCost(subnet, counted.macs(), counted.params(), counted.peakActivationBytes()));
        }
        for (Measured m : measured) {
            if (!evaluations.existsBySubnetIdAndSplit(subnet.getId(), m.split())) {
                evaluations.save(new Evaluation(subnet, m.split(), m.top1(), m.images()));
            }
        }
        return subnet;
    }

    /** Whether the subnet of {@code config} already has an evaluation on {@code split}. */
    @Transactional(readOnly = true)
    public boolean isEvaluated(UUID supernetId, SubnetConfig config, Split split) {
        return subnets.findBySupernetIdAndConfigSha256(supernetId, config.sha256())
                .map(subnet -> evaluations.existsBySubnetIdAndSplit(subnet.getId(), split))
                .orElse(false);
    }
}
