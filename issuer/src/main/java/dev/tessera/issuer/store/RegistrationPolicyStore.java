package dev.tessera.issuer.store;

import dev.tessera.issuer.domain.RegistrationPolicy;
import dev.tessera.issuer.domain.Words;
import java.util.HashSet;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The {@code registration_policy} table. */
public final class RegistrationPolicyStore {
    private final Jdbi jdbi;

    public RegistrationPolicyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Sets (or, with {@code null}, removes: registration closed) a VO's registration policy. */
    public void put(String vo, RegistrationPolicy policy) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM registration_policy WHERE vo = :vo").bind("vo", vo).execute();
            if (policy != null) {
                h.createUpdate("INSERT INTO registration_policy (vo, grants, scope) VALUES (:vo, :grants, :scope)")
                        .bind("vo", vo).bind("grants", Words.join(policy.grants().stream().sorted().toList()))
                        .bind("scope", policy.scope()).execute();
            }
            Revision.bump(h);
        });
    }

    public List<RegistrationPolicy> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM registration_policy ORDER BY vo")
                .map((rs, ctx) -> new RegistrationPolicy(rs.getString("vo"), new HashSet<>(Words.split(rs.getString("grants"))),
                        rs.getString("scope")))
                .list());
    }
}
