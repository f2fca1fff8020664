package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The weight-shared network of a {@link SearchSpace} (OFA's OFAMobileNetV3, scaled to the space):
 * stem, fixed first block, elastic stages, head. {@link #setActiveSubnet} picks the subnet the next
 * forward passes run; every subnet trains the same weights.
 */
public final class Supernet extends ElasticBlock {

    private final SearchSpace space;
    private final int numClasses;

    private final DynamicConv stem;
    private final DynamicBatchNorm stemNorm;
    private final ElasticMBConv firstBlock;
    private final List<List<ElasticMBConv>> stages = new ArrayList<>();
    private final DynamicConv finalExpand;
    private final DynamicBatchNorm finalExpandNorm;
    private final DynamicConv featureMix;
    private final List<Parameter> classifierWeights = new ArrayList<>();
    private final List<Parameter> classifierBiases = new ArrayList<>();

    private SubnetConfig active;
    private int[] activeDepths;

    public Supernet(SearchSpace space, int numClasses) {
        this(space, numClasses, 1);
    }

    /**
     * @param exitHeads 1 for one classifier shared by every subnet (OFA); {@link #exitHeadsPerDepth}
     *     for one classifier per total depth (ODN's exit head per depth level)
     */
    public Supernet(SearchSpace space, int numClasses, int exitHeads) {
        if (exitHeads != 1 && exitHeads != exitHeadsPerDepth(space)) {
            throw new IllegalArgumentException("a supernet of " + space.name() + " has 1 or " + exitHeadsPerDepth(space)
                    + " exit heads, not " + exitHeads);
        }
        this.space = space;
        this.numClasses = numClasses;
        SearchSpace.Stem stemSpec = space.stem();
        stem = addChildBlock(
                "stem",
                DynamicConv.builder()
                        .setChannels(space.inputChannels(), stemSpec.channels())
                        .optKernel(3)
                        .optStride(stemSpec.stride())
                        .build());
        stemNorm = addChildBlock("stemNorm", new DynamicBatchNorm(stemSpec.channels()));
        SearchSpace.FirstBlock first = space.firstBlock();
        firstBlock = addChildBlock(
                "firstBlock",
                new ElasticMBConv(
                        stemSpec.channels(),
                        first.channels(),
                        List.of(first.kernel()),
                        List.of(1),
                        1,
                        false,
                        first.activation()));
        int in = first.channels();
        for (int s = 0; s < space.stages().size(); s++) {
            SearchSpace.Stage stage = space.stages().get(s);
            List<ElasticMBConv> blocks = new ArrayList<>();
            for (int b = 0; b < space.maxDepth(); b++) {
                blocks.add(addChildBlock(
                        "stage" + s + "block" + b,
                        new ElasticMBConv(
                                in,
                                stage.width(),
                                space.kernels(),
                                space.expands(),
                                b == 0 ? stage.stride() : 1,
                                stage.se(),
                                stage.activation())));
                in = stage.width();
            }
            stages.add(Collections.unmodifiableList(blocks));
        }
        finalExpand = addChildBlock(
                "finalExpand",
                DynamicConv.builder()
                        .setChannels(in, space.head().finalExpand())
                        .build());
        finalExpandNorm = addChildBlock(
                "finalExpandNorm", new DynamicBatchNorm(space.head().finalExpand()));
        featureMix = addChildBlock(
                "featureMix",
                DynamicConv.builder()
                        .setChannels(space.head().finalExpand(), space.head().featureMix())
                        .build());
        float bound = (float) (1 / Math.sqrt(space.head().featureMix()));
        for (int head = 0; head < exitHeads; head++) {
            // head 0 keeps the single-head names, so one-head checkpoints read the same either way
            String suffix = head == 0 ? "" : String.valueOf(head);
            classifierWeights.add(addParameter(Parameter.builder()
                    .setName("classifierWeight" + suffix)
                    .setType(Parameter.Type.WEIGHT)
                    .optInitializer(new UniformInitializer(bound))
                    .optShape(new Shape(numClasses, space.head().featureMix()))
                    .build()));
            classifierBiases.add(addParameter(Parameter.builder()
                    .setName("classifierBias" + suffix)
                    .setType(Parameter.Type.BIAS)
                    .optShape(new Shape(numClasses))
                    .build()));
        }
        setActiveSubnet(space.largest());
    }

    /** Builds the supernet with fresh weights on {@code manager}. */
    public static Supernet create(SearchSpace space, int numClasses, NDManager manager) {
        return create(space, numClasses, 1, manager);
    }

    /** Builds the supernet with {@code exitHeads} classifiers and fresh weights on {@code manager}. */
    public static Supernet create(SearchSpace space, int numClasses, int exitHeads, NDManager manager) {
        Supernet supernet = new Supernet(space, numClasses, exitHeads);
        supernet.initialize(
                manager,
                DataType.FLOAT32,
                new Shape(1, space.inputChannels(), space.maxResolution(), space.maxResolution()));
        return supernet;
    }

    public SearchSpace space() {
        return space;
    }

    public int numClasses() {
        return numClasses;
    }

    /** One exit head for every total block count a subnet can have. */
    public static int exitHeadsPerDepth(SearchSpace space) {
        int minDepth = space.depths().get(0);
        return space.stages().size() * (space.maxDepth() - minDepth) + 1;
    }

    public int exitHeads() {
        return classifierWeights.size();
    }

    /** The exit head {@code config} classifies with: by its total depth when there is one per depth. */
    public int exitHead(SubnetConfig config) {
        if (classifierWeights.size() == 1) {
            return 0;
        }
        int blocks = config.depths().stream().mapToInt(Integer::intValue).sum();
        return blocks - space.stages().size() * space.depths().get(0);
    }

    public SubnetConfig activeSubnet() {
        return active;
    }

    public void setActiveSubnet(SubnetConfig config) {
        space.requireMember(config);
        int[] depths = new int[stages.size()];
        int blockIndex = 0;
        for (int s = 0; s < stages.size(); s++) {
            depths[s] = config.depths().get(s);
            for (int b = 0; b < depths[s]; b++) {
                stages.get(s)
                        .get(b)
                        .setActive(
                                config.kernels().get(blockIndex),
                                config.expands().get(blockIndex));
                blockIndex++;
            }
        }
        this.activeDepths = depths;
        this.active = config;
    }

    /**
     * Logits of the active subnet for a batch at its resolution.
     *
     * @param dropout whether the classifier's dropout applies (DεpS drops out for the largest net only)
     */
    public NDArray logits(ParameterStore store, NDArray images, boolean training, boolean dropout) {
        NDArray x = stem.apply(store, images, training);
        if (Layouts.trainingStep(training)) {
            // a training step runs channels-last from here on (Layouts says why)
            x = Layouts.channelsLast(x);
        }
        x = Activations.apply(space.stem().activation(), stemNorm.apply(store, x, training));
        x = firstBlock.apply(store, x, training);
        for (int s = 0; s < stages.size(); s++) {
            for (int b = 0; b < activeDepths[s]; b++) {
                x = stages.get(s).get(b).apply(store, x, training);
            }
        }
        x = Activations.hardSwish(finalExpandNorm.apply(store, finalExpand.apply(store, x, training), training));
        x = Reductions.spatialMean(x);
        x = Activations.hardSwish(featureMix.apply(store, x, training))
                .reshape(x.getShape().get(0), -1);
        if (training && dropout && space.dropout() > 0) {
            x = Dropout.dropout(x, (float) space.dropout(), true).singletonOrThrow();
        }
        int head = exitHead(active);
        return Linear.linear(
                        x,
                        value(store, classifierWeights.get(head), x, training),
                        value(store, classifierBiases.get(head), x, training))
                .singletonOrThrow();
    }

    /**
     * Draws from the engine's random generator what a training pass with dropout draws for a batch
     * of {@code batch}, without running one: a run resumed part-way through an epoch brings the
     * generator to where the steps it skips left it. The mask is drawn on an array of the shape
     * and type the classifier's dropout sees, which is what decides how much is drawn.
     */
    public void drawDropoutMask(NDManager manager, int batch) {
        if (space.dropout() > 0) {
            NDArray features = manager.zeros(new Shape(batch, space.head().featureMix()));
            Dropout.dropout(features, (float) space.dropout(), true);
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(logits(store, inputs.singletonOrThrow(), training, true));
    }

    DynamicConv stem() {
        return stem;
    }

    DynamicBatchNorm stemNorm() {
        return stemNorm;
    }

    ElasticMBConv firstBlock() {
        return firstBlock;
    }

    List<List<ElasticMBConv>> stages() {
        return stages;
    }

    DynamicConv finalExpand() {
        return finalExpand;
    }

    DynamicBatchNorm finalExpandNorm() {
        return finalExpandNorm;
    }

    DynamicConv featureMix() {
        return featureMix;
    }

    Parameter classifierWeight(SubnetConfig config) {
        return classifierWeights.get(exitHead(config));
    }

    Parameter classifierBias(SubnetConfig config) {
        return classifierBiases.get(exitHead(config));
    }

    /** Every batch-norm layer, in network order. */
    List<DynamicBatchNorm> batchNorms() {
        List<DynamicBatchNorm> norms = new ArrayList<>(List.of(stemNorm));
        addNorms(firstBlock, norms);
        for (List<ElasticMBConv> stage : stages) {
            for (ElasticMBConv block : stage) {
                addNorms(block, norms);
            }
        }
        norms.add(finalExpandNorm);
        return norms;
    }

    private static void addNorms(ElasticMBConv block, List<DynamicBatchNorm> norms) {
        if (block.expandNorm() != null) {
            norms.add(block.expandNorm());
        }
        norms.add(block.depthwiseNorm());
        norms.add(block.projectNorm());
    }
}
