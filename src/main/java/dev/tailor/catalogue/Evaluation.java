package dev.tailor.catalogue;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import java.time.OffsetDateTime;

/** A measured top-1 accuracy of one subnet on one split. */
@Entity
public class Evaluation {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "subnet_id")
    private Subnet subnet;

    @Enumerated(EnumType.STRING)
    private Split split;

    @Column(name = "top1_accuracy")
    private double top1Accuracy;

    private int sampleCount;

    @Column(updatable = false)
    private OffsetDateTime createdAt = OffsetDateTime.now();

    protected Evaluation() {}

    public Evaluation(Subnet subnet, Split split, double top1Accuracy, int sampleCount) {
        this.subnet = subnet;
        this.split = split;
        this.top1Accuracy = top1Accuracy;
        this.sampleCount = sampleCount;
    }

    public Long getId() {
        return id;
    }

    public Subnet getSubnet() {
        return subnet;
    }

    public Split getSplit() {
        return split;
    }

    public double getTop1Accuracy() {
        return top1Accuracy;
    }

    public int getSampleCount() {
        return sampleCount;
    }
}
