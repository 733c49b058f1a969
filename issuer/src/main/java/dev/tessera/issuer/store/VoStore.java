package dev.tessera.issuer.store;

import dev.tessera.issuer.domain.Vo;
import dev.tessera.token.Profile;
import dev.tessera.token.keys.Algorithm;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code vo} table. */
public final class VoStore {
    private final Jdbi jdbi;

    public VoStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(Vo vo, long now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                    INSERT INTO vo (name, issuer, profile, algorithm, access_lifetime, max_access_lifetime,
                                    default_audience, refresh_lifetime, device_code_lifetime, id_token_lifetime,
                                    created_at)
                    VALUES (:name, :issuer, :profile, :algorithm, :lifetime, :maxLifetime, :audience, :refresh,
                            :device, :idToken, :now)""")
                    .bind("name", vo.name()).bind("issuer", vo.issuer()).bind("profile", vo.profile().name())
                    .bind("algorithm", vo.algorithm().name())
                    .bind("lifetime", vo.accessLifetime().toSeconds())
                    .bind("maxLifetime", vo.maxAccessLifetime().toSeconds())
                    .bind("audience", vo.defaultAudience()).bind("now", now)
                    .bind("refresh", vo.refreshLifetime().toSeconds()).bind("device", vo.deviceCodeLifetime().toSeconds())
                    .bind("idToken", vo.idTokenLifetime().toSeconds())
                    .execute();
            Revision.bump(h);
        });
    }

    public List<Vo> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM vo ORDER BY name").map((rs, ctx) -> read(rs)).list());
    }

    public Optional<Vo> find(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM vo WHERE name = :name").bind("name", name)
                .map((rs, ctx) -> read(rs)).findOne());
    }

    private static Vo read(ResultSet rs) throws SQLException {
        return new Vo(rs.getString("name"), rs.getString("issuer"), Profile.valueOf(rs.getString("profile")),
                Algorithm.valueOf(rs.getString("algorithm")), Duration.ofSeconds(rs.getLong("access_lifetime")),
                Duration.ofSeconds(rs.getLong("max_access_lifetime")), rs.getString("default_audience"),
                Duration.ofSeconds(rs.getLong("refresh_lifetime")), Duration.ofSeconds(rs.getLong("device_code_lifetime")),
                Duration.ofSeconds(rs.getLong("id_token_lifetime")));
    }
}
