package dev.tailor.devices;

import dev.tailor.catalogue.Device;
import dev.tailor.latency.SubnetLayers;
import dev.tailor.space.SearchSpace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The layers a device's latency table needs: every layer of the spaces of the catalogue's ready supernets,
 * each at the resolution of the subnets it comes from, and which of them a device has measured.
 */
@Component
class CataloguedLayers {

    /** A layer some catalogued space has, with the resolution of the subnets it comes from. */
    record PendingLayer(SubnetLayers.Layer layer, int resolution) {}

    private final JdbcClient jdbc;

    CataloguedLayers(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Every layer of the ready supernets' spaces, by key. */
    Map<String, PendingLayer> byKey() {
        Map<String, PendingLayer> layers = new LinkedHashMap<>();
        List<SpaceRow> spaces = jdbc.sql("select distinct space_spec::text, coalesce(num_classes, 10) from supernet"
                        + " where state = 'READY'")
                .query((rs, row) -> new SpaceRow(rs.getString(1), rs.getInt(2)))
                .list();
        for (SpaceRow row : spaces) {
            SearchSpace space;
            try {
                space = SearchSpace.fromJson(row.spec());
            } catch (RuntimeException unreadable) {
                // a space this version cannot read has no layers it could time
                continue;
            }
            for (int resolution : space.resolutions()) {
                SubnetLayers.ofSpace(atResolution(space, resolution), row.numClasses())
                        .forEach((key, layer) -> layers.putIfAbsent(key, new PendingLayer(layer, resolution)));
            }
        }
        return layers;
    }

    boolean measured(Device device, String key) {
        return Objects.requireNonNullElse(
                jdbc.sql("select exists (select 1 from latency_measurement where device_id = :device"
                                + " and layer_key = :key and source = 'MEASURED' and batch_size = 1)")
                        .param("device", device.getId())
                        .param("key", key)
                        .query(Boolean.class)
                        .single(),
                false);
    }

    private record SpaceRow(String spec, int numClasses) {}

    private static SearchSpace atResolution(SearchSpace space, int resolution) {
        return new SearchSpace(
                space.version(),
                space.name(),
                space.inputChannels(),
                List.of(resolution),
                space.stem(),
                space.firstBlock(),
                space.stages(),
                space.kernels(),
                space.depths(),
                space.expands(),
                space.head(),
                space.dropout());
    }
}
