package dev.tessera.issuer.store;

import dev.tessera.issuer.domain.Words;
import dev.tessera.issuer.domain.Client;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The {@code client} table. */
public final class ClientStore {
    private final Jdbi jdbi;

    public ClientStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(Client client, long now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                    INSERT INTO client (vo, client_id, name, secret_hash, grants, scope, audiences, redirect_uris,
                                        self_registered, jwks, access_lifetime, max_access_lifetime,
                                        refresh_lifetime, id_token_lifetime, device_code_lifetime, created_at)
                    VALUES (:vo, :clientId, :name, :secretHash, :grants, :scope, :audiences, :redirectUris,
                            :selfRegistered, :jwks, :access, :maxAccess, :refresh, :idToken, :deviceCode, :now)""")
                    .bind("vo", client.vo()).bind("clientId", client.clientId()).bind("name", client.name())
                    .bind("secretHash", client.secretHash())
                    .bind("grants", Words.join(client.grants().stream().sorted().toList()))
                    .bind("scope", client.scope()).bind("audiences", Words.join(client.audiences()))
                    .bind("redirectUris", Words.join(client.redirectUris())).bind("now", now)
                    .bind("selfRegistered", client.selfRegistered() ? 1 : 0).bind("jwks", client.jwks())
                    .bind("access", seconds(client.lifetimes().access()))
                    .bind("maxAccess", seconds(client.lifetimes().maxAccess()))
                    .bind("refresh", seconds(client.lifetimes().refresh()))
                    .bind("idToken", seconds(client.lifetimes().idToken()))
                    .bind("deviceCode", seconds(client.lifetimes().deviceCode()))
                    .execute();
            Revision.bump(h);
        });
    }

    public List<Client> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM client ORDER BY vo, client_id")
                .map((rs, ctx) -> new Client(rs.getString("vo"), rs.getString("client_id"), rs.getString("name"),
                        rs.getString("secret_hash"), new HashSet<>(Words.split(rs.getString("grants"))),
                        rs.getString("scope"), Words.split(rs.getString("audiences")),
                        Words.split(rs.getString("redirect_uris")), rs.getInt("self_registered") != 0,
                        rs.getString("jwks"), new Client.Lifetimes(duration(rs, "access_lifetime"),
                        duration(rs, "max_access_lifetime"), duration(rs, "refresh_lifetime"),
                        duration(rs, "id_token_lifetime"), duration(rs, "device_code_lifetime"))))
                .list());
    }

    private static Long seconds(Duration duration) {
        return duration == null ? null : duration.toSeconds();
    }

    private static Duration duration(ResultSet rs, String column) throws SQLException {
        long seconds = rs.getLong(column);
        return rs.wasNull() ? null : Duration.ofSeconds(seconds);
    }

    /** Removes a client; whether one was there. */
    public boolean delete(String vo, String clientId) {
        return jdbi.inTransaction(h -> {
            int rows = h.createUpdate("DELETE FROM client WHERE vo = :vo AND client_id = :clientId")
                    .bind("vo", vo).bind("clientId", clientId).execute();
            Revision.bump(h);
            return rows > 0;
        });
    }
}
