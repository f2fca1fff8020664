package dev.tailor.security;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The stored API keys: issue, look up by secret, list, revoke. Secrets exist only in what {@link #issue} returns. */
@Service
public class ApiKeys {

    /** transaction-level advisory lock: replicas starting together create one first key, not one each */
    private static final long FIRST_KEY_LOCK = 0x7461696c6f72_01L;

    private static final String VIEW = "select k.id, k.name, k.role, d.name as device, k.key_prefix, k.created_by,"
            + " k.created_at, k.revoked_at from api_key k left join device d on d.id = k.device_id";

    private final JdbcClient jdbc;

    ApiKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A new key; {@code device} names the device of an agent key and must be null otherwise.
     *
     * @throws KeyRefused naming the field at fault
     */
    @Transactional
    public IssuedKey issue(String name, Role role, String device, String createdBy) {
        return store(KeySecrets.newKey(), name, role, device, createdBy);
    }

    /** A new agent key for the device; its earlier agent keys stop working (a rotation). */
    @Transactional
    public IssuedKey rotateAgentKey(String device, String createdBy) {
        Long deviceId = deviceId(device);
        // rotations of one device one at a time: two at once each revoked only the keys committed before it,
        // and both new keys worked
        jdbc.sql("select id from device where id = :device for update")
                .param("device", deviceId)
                .query()
                .listOfRows();
        jdbc.sql("update api_key set revoked_at = now() where device_id = :device and revoked_at is null")
                .param("device", deviceId)
                .update();
        return store(KeySecrets.newKey(), "agent-" + device, Role.AGENT, device, createdBy);
    }

    /** Whether the key still works (not revoked, not gone). */
    public boolean isActive(long keyId) {
        return jdbc.sql("select count(*) from api_key where id = :id and revoked_at is null")
                        .param("id", keyId)
                        .query(Long.class)
                        .single()
                == 1;
    }

    public Optional<Caller> authenticate(String key) {
        return jdbc.sql("select k.id, k.name, k.role, d.name from api_key k left join device d on d.id = k.device_id"
                        + " where k.key_sha256 = :hash and k.revoked_at is null")
                .param("hash", KeySecrets.sha256(key))
                .query((rs, row) ->
                        new Caller(rs.getLong(1), rs.getString(2), Role.valueOf(rs.getString(3)), rs.getString(4)))
                .optional();
    }

    public List<ApiKeyView> list() {
        return jdbc.sql(VIEW + " order by k.id").query(ApiKeys::view).list();
    }

    public Optional<ApiKeyView> find(long id) {
        return jdbc.sql(VIEW + " where k.id = :id")
                .param("id", id)
                .query(ApiKeys::view)
                .optional();
    }

    /** Stops the key working; revoking a revoked key changes nothing. Empty when there is no such key. */
    @Transactional
    public Optional<ApiKeyView> revoke(long id) {
        jdbc.sql("update api_key set revoked_at = now() where id = :id and revoked_at is null")
                .param("id", id)
                .update();
        return find(id);
    }

    /**
     * The first operator key, when no operator key was ever stored (revoked ones count: once an
     * operator has existed, new keys come from the {@code keys} verb, never from a restart).
     */
    @Transactional
    public Optional<IssuedKey> issueFirstOperatorKey() {
        jdbc.sql("select pg_advisory_xact_lock(:lock)")
                .param("lock", FIRST_KEY_LOCK)
                .query()
                .singleRow();
        boolean anyOperator = jdbc.sql("select exists (select 1 from api_key where role = 'OPERATOR')")
                .query(Boolean.class)
                .single();
        return anyOperator
                ? Optional.empty()
                : Optional.of(store(KeySecrets.newKey(), "first-operator", Role.OPERATOR, null, "first-start"));
    }

    /** Stores a key given in the configuration (a Kubernetes Secret, say) unless it is stored already. */
    @Transactional
    public void adopt(String key, String name, Role role) {
        jdbc.sql("select pg_advisory_xact_lock(:lock)")
                .param("lock", FIRST_KEY_LOCK)
                .query()
                .singleRow();
        boolean known = jdbc.sql("select exists (select 1 from api_key where key_sha256 = :hash)")
                .param("hash", KeySecrets.sha256(key))
                .query(Boolean.class)
                .single();
        if (!known) {
            store(key, name, role, null, "configuration");
        }
    }

    private IssuedKey store(String key, String name, Role role, String device, String createdBy) {
        if (name == null || !name.matches(ApiKeyRequest.NAME_PATTERN)) {
            throw new KeyRefused("name", "must be " + ApiKeyRequest.NAME_RULE);
        }
        Long deviceId = null;
        if (role == Role.AGENT) {
            if (device == null) {
                throw new KeyRefused("device", "an agent key is bound to one device: name it");
            }
            deviceId = deviceId(device);
        } else if (device != null) {
            throw new KeyRefused(
                    "device", "only agent keys are bound to a device; leave it out for " + role.wireName());
        }
        long id = jdbc.sql("insert into api_key (name, role, device_id, key_sha256, key_prefix, created_by)"
                        + " values (:name, :role, :device, :hash, :prefix, :createdBy) returning id")
                .param("name", name)
                .param("role", role.name())
                .param("device", deviceId)
                .param("hash", KeySecrets.sha256(key))
                .param("prefix", KeySecrets.shown(key))
                .param("createdBy", createdBy)
                .query(Long.class)
                .single();
        return new IssuedKey(key, find(id).orElseThrow());
    }

    private Long deviceId(String device) {
        java.util.Map<String, Object> found = jdbc
                .sql("select id, measurement from device where name = :name")
                .param("name", device)
                .query()
                .listOfRows()
                .stream()
                .findFirst()
                .orElseThrow(() ->
                        new KeyRefused("device", "no device named '" + device + "'; GET /api/v1/devices lists them"));
        if (!"AGENT".equals(found.get("measurement"))) {
            // host-cpu is timed by the service, a device of measurement none has its roofline only
            throw new KeyRefused(
                    "device",
                    "device '" + device + "' is not measured by agents (measurement "
                            + String.valueOf(found.get("measurement")).toLowerCase(java.util.Locale.ROOT)
                            + "); an agent key is for a device registered with measurement agent");
        }
        return ((Number) found.get("id")).longValue();
    }

    private static ApiKeyView view(ResultSet rs, int row) throws SQLException {
        return new ApiKeyView(
                rs.getLong("id"),
                rs.getString("name"),
                Role.valueOf(rs.getString("role")),
                rs.getString("device"),
                rs.getString("key_prefix"),
                rs.getString("created_by"),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("revoked_at", OffsetDateTime.class));
    }

    /** A key that cannot be issued as asked; {@code field} is the request field (or CLI flag) to fix. */
    public static final class KeyRefused extends RuntimeException {
        private final String field;

        KeyRefused(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
