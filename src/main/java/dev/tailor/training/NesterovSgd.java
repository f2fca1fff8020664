package dev.tailor.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.tailor.supernet.ChannelPermutation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with Nesterov momentum as PyTorch computes it, weight decay on every parameter except
 * batch-norm and bias terms (OFA's {@code no_decay_keys='bn#bias'}):
 *
 * <pre>g = grad + wd * w;  v = mu * v + g;  w -= lr * (g + mu * v)</pre>
 *
 * A parameter no subnet of the step used is left alone, decay and momentum included, as PyTorch's
 * optimizers skip a parameter whose gradient is unset. DJL hands back zeros for one, and decay on
 * them shrank deps's kernel transforms (identity at the start, used by no full-model step) to about
 * a tenth of the identity over its full-model phase, before the first subnet with a smaller kernel
 * ran. An all-zero gradient is taken for an unused parameter.
 *
 * <p>Its momentum buffers are part of a checkpoint, and follow channel reorganisations.
 */
final class NesterovSgd {

    private final double momentum;
    private final double weightDecay;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> velocity = new LinkedHashMap<>();
    private final Map<Parameter, String> names = new java.util.IdentityHashMap<>();

    NesterovSgd(PairList<String, Parameter> trainable, double momentum, double weightDecay, NDManager manager) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        for (Pair<String, Parameter> named : trainable) {
            Parameter parameter = named.getValue();
            if (!parameter.requiresGradient()) {
                continue;
            }
            parameters.put(named.getKey(), parameter);
            names.put(parameter, named.getKey());
            NDArray buffer = manager.zeros(parameter.getArray().getShape());
            velocity.put(named.getKey(), buffer);
        }
    }

    static boolean decays(Parameter parameter) {
        return switch (parameter.getType()) {
            case GAMMA, BETA, BIAS, RUNNING_MEAN, RUNNING_VAR -> false;
            default -> true;
        };
    }

    /**
     * One update with the accumulated gradients, which are then cleared for the next step. Every
     * temporary lives on a scratch manager: an operation's result belongs to its receiver's
     * manager, so no operation here has a parameter or a momentum buffer as its receiver unless it
     * works in place.
     */
    void step(double learningRate) {
        for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
            NDArray weight = entry.getValue().getArray();
            NDArray v = velocity.get(entry.getKey());
            try (NDManager scratch = weight.getManager().newSubManager()) {
                NDArray grad = weight.getGradient();
                grad.attach(scratch);
                if (!grad.any().getBoolean()) {
                    continue;
                }
                NDArray g = grad.duplicate();
                g.attach(scratch);
                if (decays(entry.getValue()) && weightDecay > 0) {
                    NDArray decay = weight.duplicate();
                    decay.attach(scratch);
                    g.addi(decay.muli(scratch.create((float) weightDecay)));
                }
                NDArray mu = scratch.create((float) momentum);
                v.muli(mu).addi(g);
                NDArray ahead = v.duplicate();
                ahead.attach(scratch);
                g.addi(ahead.muli(mu)).muli(scratch.create((float) learningRate));
                weight.subi(g);
                grad.subi(grad);
            }
        }
    }

    /** Reorders momentum exactly as the weights were reordered. */
    void follow(List<ChannelPermutation> permutations) {
        for (ChannelPermutation permutation : permutations) {
            String name = names.get(permutation.parameter());
            if (name != null) {
                permutation.applyInPlace(velocity.get(name));
            }
        }
    }

    /** Zero momentum, as a newly built optimizer has. */
    void reset() {
        for (NDArray buffer : velocity.values()) {
            buffer.set(new ai.djl.ndarray.index.NDIndex(":"), 0f);
        }
    }

    NDList state() {
        NDList list = new NDList();
        velocity.forEach((name, array) -> {
            array.setName(name);
            list.add(array);
        });
        return list;
    }

    void load(NDList state) {
        for (NDArray saved : state) {
            NDArray target = velocity.get(saved.getName());
            if (target == null || !target.getShape().equals(saved.getShape())) {
                throw new IllegalStateException(
                        "checkpoint optimizer state '" + saved.getName() + "' does not fit this supernet");
            }
            target.set(new ai.djl.ndarray.index.NDIndex(":"), saved);
        }
    }
}
