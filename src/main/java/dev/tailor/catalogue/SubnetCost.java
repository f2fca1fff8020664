package dev.tailor.catalogue;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapsId;
import jakarta.persistence.OneToOne;

/** What a subnet costs to run, counted from its config: the same on every device. */
@Entity
public class SubnetCost {

    @Id
    private Long subnetId;

    @MapsId
    @OneToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "subnet_id")
    private Subnet subnet;

    private long macs;
    private long params;
    private long peakActivationBytes;

    protected SubnetCost() {}

    public SubnetCost(Subnet subnet, long macs, long params, long peakActivationBytes) {
        this.subnet = subnet;
        this.macs = macs;
        this.params = params;
        this.peakActivationBytes = peakActivationBytes;
    }

    public Long getSubnetId() {
        return subnetId;
    }

    public long getMacs() {
        return macs;
    }

    public long getParams() {
        return params;
    }

    public long getPeakActivationBytes() {
        return peakActivationBytes;
    }
}
