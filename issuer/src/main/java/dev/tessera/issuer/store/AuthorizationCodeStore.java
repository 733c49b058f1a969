package dev.tessera.issuer.store;

import dev.tessera.issuer.domain.AuthorizationCode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code authorization_code} table. Redemption is a conditional update, so it happens once. */
public final class AuthorizationCodeStore {
    private final Jdbi jdbi;

    public AuthorizationCodeStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(AuthorizationCode c) {
        jdbi.useHandle(h -> h.createUpdate("""
                INSERT INTO authorization_code (code_hash, vo, client_id, redirect_uri, redirect_given, username, scope,
                                                audience, nonce, code_challenge, auth_time, created_at, expires_at)
                VALUES (:hash, :vo, :clientId, :redirectUri, :redirectGiven, :username, :scope, :audience, :nonce,
                        :challenge, :authTime, :createdAt, :expiresAt)""")
                .bind("hash", c.codeHash()).bind("vo", c.vo()).bind("clientId", c.clientId())
                .bind("redirectUri", c.redirectUri()).bind("redirectGiven", c.redirectGiven() ? 1 : 0)
                .bind("username", c.username()).bind("scope", c.scope()).bind("audience", c.audience())
                .bind("nonce", c.nonce()).bind("challenge", c.codeChallenge()).bind("authTime", c.authTime())
                .bind("createdAt", c.createdAt()).bind("expiresAt", c.expiresAt()).execute());
    }

    public Optional<AuthorizationCode> find(String hash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM authorization_code WHERE code_hash = :hash")
                .bind("hash", hash).map((rs, ctx) -> read(rs)).findOne());
    }

    /** Marks an unredeemed code redeemed; true only for the one caller that did it. */
    public boolean redeem(String hash, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                UPDATE authorization_code SET redeemed_at = :now WHERE code_hash = :hash AND redeemed_at IS NULL""")
                .bind("now", now).bind("hash", hash).execute()) == 1;
    }

    /** Records what a redemption gave, for revocation if the code comes back. */
    public void recordIssued(String hash, String familyId, String accessJti) {
        jdbi.useHandle(h -> h.createUpdate("""
                UPDATE authorization_code SET family_id = :family, access_jti = :jti WHERE code_hash = :hash""")
                .bind("family", familyId).bind("jti", accessJti).bind("hash", hash).execute());
    }

    private static AuthorizationCode read(ResultSet rs) throws SQLException {
        long redeemed = rs.getLong("redeemed_at");
        Long redeemedAt = rs.wasNull() ? null : redeemed;
        return new AuthorizationCode(rs.getString("code_hash"), rs.getString("vo"), rs.getString("client_id"),
                rs.getString("redirect_uri"), rs.getInt("redirect_given") == 1, rs.getString("username"),
                rs.getString("scope"), rs.getString("audience"), rs.getString("nonce"), rs.getString("code_challenge"),
                rs.getLong("auth_time"), rs.getLong("created_at"), rs.getLong("expires_at"), redeemedAt,
                rs.getString("family_id"), rs.getString("access_jti"));
    }
}
