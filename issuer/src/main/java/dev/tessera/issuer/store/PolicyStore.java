package dev.tessera.issuer.store;

import dev.tessera.issuer.domain.PolicyRule;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The {@code policy_rule} table. */
public final class PolicyStore {
    private final Jdbi jdbi;

    public PolicyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(PolicyRule rule, long now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                    INSERT INTO policy_rule (id, vo, subject_kind, subject, scope_template, effect, created_at)
                    VALUES (:id, :vo, :kind, :subject, :template, :effect, :now)""")
                    .bind("id", rule.id()).bind("vo", rule.vo()).bind("kind", rule.kind().id())
                    .bind("subject", rule.subject()).bind("template", rule.scopeTemplate())
                    .bind("effect", rule.effect().id()).bind("now", now)
                    .execute();
            Revision.bump(h);
        });
    }

    /** Every rule, in the order they were added. */
    public List<PolicyRule> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM policy_rule ORDER BY vo, created_at, id")
                .map((rs, ctx) -> new PolicyRule(rs.getString("id"), rs.getString("vo"),
                        PolicyRule.Kind.parse(rs.getString("subject_kind")), rs.getString("subject"),
                        rs.getString("scope_template"), PolicyRule.Effect.parse(rs.getString("effect"))))
                .list());
    }

    public boolean delete(String vo, String id) {
        return jdbi.inTransaction(h -> {
            int rows = h.createUpdate("DELETE FROM policy_rule WHERE vo = :vo AND id = :id")
                    .bind("vo", vo).bind("id", id).execute();
            Revision.bump(h);
            return rows > 0;
        });
    }
}
