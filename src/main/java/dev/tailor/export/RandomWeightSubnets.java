package dev.tailor.export;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.tailor.latency.SubnetModels;
import dev.tailor.onnx.ExportMetadata;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.supernet.StaticSubnet;
import dev.tailor.supernet.Supernet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Subnets of a freshly initialised, seeded supernet exported as a deployment gets them (same
 * operators, BN folded, input at the space's largest resolution, the side of the datasets the
 * built-in spaces are for, with the same Resize inside), for latency timing: the shapes are what matter, the weights are
 * random.
 */
@Component
class RandomWeightSubnets implements SubnetModels {

    @Override
    public List<byte[]> randomWeights(SearchSpace space, int classes, List<SubnetConfig> configs) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add(String.valueOf(c));
        }
        float[] ones = new float[space.inputChannels()];
        Arrays.fill(ones, 1f);
        List<byte[]> models = new ArrayList<>();
        // the same weights every time: a re-run times the same models
        Engine.getInstance().setRandomSeed(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            Supernet supernet = Supernet.create(space, classes, manager);
            for (SubnetConfig config : configs) {
                try (StaticSubnet subnet = StaticSubnet.extract(supernet, config, manager)) {
                    models.add(OnnxExport.builder()
                            .setSubnet(subnet)
                            // as served: images at the dataset's side, resized inside when the subnet runs smaller
                            .setInputSize(space.maxResolution())
                            .setMetadata(new ExportMetadata(
                                    "latency-calibration",
                                    config.canonicalJson(),
                                    config.sha256(),
                                    "none",
                                    new float[space.inputChannels()],
                                    ones,
                                    names,
                                    null,
                                    null,
                                    0))
                            .build()
                            .toBytes());
                }
            }
        }
        return models;
    }
}
