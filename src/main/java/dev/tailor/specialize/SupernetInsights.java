package dev.tailor.specialize;

import dev.tailor.api.Problems;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.search.Budget;
import dev.tailor.search.CostModel;
import dev.tailor.search.FrontOutcome;
import dev.tailor.search.FrontPoint;
import dev.tailor.search.Metric;
import dev.tailor.search.ParetoFront;
import dev.tailor.search.SubnetSearch;
import dev.tailor.space.SearchSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What a supernet's catalogue says: its predictor's held-out report, and the Pareto picture of
 * accuracy against latency on a device (catalogue points, the predicted front, what was served).
 */
@Component
class SupernetInsights {

    private final SupernetRepository supernets;
    private final DeviceRepository devices;
    private final PredictorStore predictors;
    private final ServingSupernets serving;
    private final DeviceLatencyViews latencyViews;
    private final SpecializationQuery specializations;
    private final JdbcClient jdbc;
    private final SearchSlots searchSlots;

    SupernetInsights(
            SupernetRepository supernets,
            DeviceRepository devices,
            PredictorStore predictors,
            ServingSupernets serving,
            DeviceLatencyViews latencyViews,
            SpecializationQuery specializations,
            JdbcClient jdbc,
            SearchSlots searchSlots) {
        this.supernets = supernets;
        this.devices = devices;
        this.predictors = predictors;
        this.serving = serving;
        this.latencyViews = latencyViews;
        this.specializations = specializations;
        this.jdbc = jdbc;
        this.searchSlots = searchSlots;
    }

    Supernet supernet(UUID id) {
        return supernets
                .findById(id)
                .orElseThrow(() ->
                        Problems.notFound("Supernet", "no supernet " + id + "; GET /api/v1/supernets lists them"));
    }

    PredictorStore.Loaded predictor(UUID supernetId) {
        Supernet supernet = supernet(supernetId);
        return predictors
                .current(supernetId, SearchSpace.fromJson(supernet.getSpaceSpec()))
                .orElseThrow(() -> serving.catalogueNotReady(supernetId, predictors));
    }

    /** One point of the plot's data: latency (or MACs) against accuracy, with the config. */
    record PlotPoint(double x, double accuracyPercent, String config) {}

    /** The plot's data; the axis says what x is and where its latency figures come from. */
    record ParetoData(
            UUID supernetId,
            String device,
            String xAxis,
            String latencySource,
            List<PlotPoint> catalogue,
            List<PlotPoint> predictedFront,
            List<PlotPoint> served) {}

    ParetoData pareto(UUID supernetId, String deviceName) {
        Supernet supernet = supernet(supernetId);
        Device device = devices.findByName(deviceName)
                .orElseThrow(() -> Problems.notFound(
                        "Device",
                        "no device '" + deviceName + "'; known devices: "
                                + String.join(
                                        ", ",
                                        devices.findAll().stream()
                                                .map(Device::getName)
                                                .sorted()
                                                .toList()),
                        "device"));
        SearchSpace space = SearchSpace.fromJson(supernet.getSpaceSpec());
        int classes = Objects.requireNonNullElse(supernet.getNumClasses(), 10);
        Optional<LatencyView> view = latencyViews.forDevice(device, space, classes);
        List<PlotPoint> catalogue = jdbc
                .sql("""
                        select s.config::text, v.top1_accuracy, l.p50_ms, c.macs
                        from subnet s
                        join subnet_cost c on c.subnet_id = s.id
                        join lateral (select e.top1_accuracy from evaluation e
                                      where e.subnet_id = s.id and e.split = 'VALIDATION'
                                      order by e.created_at desc, e.id desc limit 1) v on true
                        left join lateral (select m.p50_ms from latency_measurement m
                                      where m.subnet_id = s.id and m.device_id = ? and m.batch_size = 1
                                      order by case m.source when 'MEASURED' then 0 when 'PREDICTED' then 1 else 2 end,
                                               m.measured_at desc, m.id desc limit 1) l on true
                        where s.supernet_id = ?
                        order by s.id""")
                .params(device.getId(), supernetId)
                .query((rs, row) -> {
                    Double ms = (Double) rs.getObject(3);
                    double x = view.isPresent() ? (ms != null ? ms : Double.NaN) : rs.getLong(4);
                    return new PlotPoint(x, 100 * rs.getDouble(2), rs.getString(1));
                })
                .list()
                .stream()
                .filter(p -> Double.isFinite(p.x()))
                .toList();
        List<PlotPoint> front = new ArrayList<>();
        Optional<PredictorStore.Loaded> predictor = predictors.current(supernetId, space);
        Metric metric = view.isPresent() ? Metric.LATENCY_MS : Metric.MACS;
        if (predictor.isPresent()) {
            CostModel costs = CostModel.counted(space, classes);
            if (view.isPresent()) {
                costs = costs.withLatency(view.get().millis());
            }
            SubnetSearch search = new SubnetSearch(space, predictor.get().scorer()::score, costs);
            FrontOutcome outcome;
            // the front is a search like a new budget's (reads are open by default): one per core at a time
            try (SearchSlots.Slot slot = searchSlots.take()) {
                outcome = search.front(metric, Budget.unlimited(), Specializer.SEED);
            }
            if (outcome instanceof ParetoFront paretoFront) {
                for (FrontPoint point : paretoFront.points()) {
                    front.add(new PlotPoint(
                            point.costs().get(metric),
                            100 * point.accuracy(),
                            point.config().canonicalJson()));
                }
            }
        }
        List<PlotPoint> served = specializations.served(supernetId, deviceName).stream()
                .filter(s -> metric == Metric.MACS || s.latency() != null)
                .map(s -> new PlotPoint(
                        metric == Metric.MACS ? s.macs() : s.latency().ms(),
                        100 * s.accuracy().validation(),
                        s.config().toString()))
                .toList();
        String source = view.map(v -> v.source().wireName()).orElse(null);
        String axis = metric == Metric.MACS
                ? "MACs (no latency model for " + deviceName + ")"
                : "latency on " + deviceName + ", ms (" + source + ")";
        return new ParetoData(supernetId, deviceName, axis, source, catalogue, front, served);
    }

    static ParetoPlot plot(ParetoData data) {
        return new ParetoPlot(
                "Supernet " + data.supernetId().toString().substring(0, 8) + " on " + data.device(),
                data.xAxis(),
                "validation top-1, %",
                List.of(
                        Series.catalogue(
                                "catalogue (" + data.catalogue().size() + " subnets)", points(data.catalogue())),
                        Series.front("predicted front", points(data.predictedFront())),
                        Series.served("served", points(data.served()))));
    }

    private static List<Point> points(List<PlotPoint> points) {
        return points.stream().map(p -> Point.of(p.x(), p.accuracyPercent())).toList();
    }
}
