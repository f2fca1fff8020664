package dev.tailor.specialize;

import dev.tailor.api.PageResponse;
import dev.tailor.api.Problems;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Listings of served specializations, filtered by device and supernet. */
@Component
class SpecializationQuery {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String WHERE = " from specialization p join device d on d.id = p.device_id"
            + " where (cast(:device as text) is null or d.name = :device)"
            + " and (cast(:supernet as uuid) is null or p.supernet_id = :supernet)";

    private final JdbcClient jdbc;

    SpecializationQuery(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    PageResponse<SpecializationResponse> page(String device, UUID supernet, int page, int size) {
        List<SpecializationResponse> items = jdbc
                .sql("select p.response::text" + WHERE + " order by p.created_at desc, p.id limit :size offset :offset")
                .param("device", device)
                .param("supernet", supernet)
                .param("size", size)
                .param("offset", (long) page * size)
                .query(String.class)
                .list()
                .stream()
                .map(json -> JSON.readValue(json, SpecializationResponse.class))
                .toList();
        long total = jdbc.sql("select count(*)" + WHERE)
                .param("device", device)
                .param("supernet", supernet)
                .query(Long.class)
                .single();
        if (total == 0) {
            refuseUnknownFilters(device, supernet);
        }
        return PageResponse.of(items, page, size, total);
    }

    /** A mistyped filter is a 400 naming it, as for the catalogue's listings, not an empty page. */
    private void refuseUnknownFilters(String device, UUID supernet) {
        if (device != null
                && !jdbc.sql("select exists (select 1 from device where name = ?)")
                        .param(device)
                        .query(Boolean.class)
                        .single()) {
            throw Problems.badField("device", "no device named '" + device + "'; GET /api/v1/devices lists them");
        }
        if (supernet != null
                && !jdbc.sql("select exists (select 1 from supernet where id = ?)")
                        .param(supernet)
                        .query(Boolean.class)
                        .single()) {
            throw Problems.badField("supernet", "no supernet " + supernet + "; GET /api/v1/supernets lists them");
        }
    }

    /** Every specialization of a supernet on a device, for the Pareto plot. */
    List<SpecializationResponse> served(UUID supernet, String device) {
        return page(device, supernet, 0, 1000).items();
    }
}
