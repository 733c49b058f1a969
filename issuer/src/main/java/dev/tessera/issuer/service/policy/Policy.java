package dev.tessera.issuer.service.policy;

import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.Scope;
import dev.tessera.token.scope.ScopeSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may obtain which capability in one VO: pure code over values, so it can be tested and
 * explained without a server.
 *
 * <p>A requested capability is granted when
 * <ol>
 * <li>the client's own scope covers it (the client is the ceiling for everyone using it),</li>
 * <li>a grant rule for the person (one of their groups, their username, or the client) covers it; a robot
 *     (client credentials) needs no rule: its client scope is what its administrator granted it, and</li>
 * <li>no deny rule that applies overlaps it: a denied {@code write:/ligo/secret} refuses both
 *     {@code write:/ligo/secret/x} and the broader {@code write:/ligo}, which would include it.</li>
 * </ol>
 * "Covers" is the token library's: same or implied authorization, path at or below on a segment
 * boundary, so {@code read:/ligo/O3} is granted under {@code read:/ligo} but {@code read:/ligo2} is not.
 * Group rules match exact group names.
 */
public final class Policy {
    private final List<Rule> rules;

    private record Rule(PolicyRule rule, ScopeTemplate template) {
    }

    /** The verdict on one scope, with the rule or reason that decided it. */
    public record Verdict(String scope, boolean granted, String reason) {
    }

    /** What a request gets: the granted capabilities and a verdict per scope considered. */
    public record Decision(ScopeSet granted, List<Verdict> verdicts) {
        public List<Verdict> refused() {
            return verdicts.stream().filter(v -> !v.granted()).toList();
        }
    }

    /**
     * The policy of these rules (all of one VO).
     *
     * @throws InvalidScopeException when a rule's template is malformed
     */
    public Policy(List<PolicyRule> rules) throws InvalidScopeException {
        List<Rule> parsed = new ArrayList<>();
        for (PolicyRule rule : rules) {
            parsed.add(new Rule(rule, ScopeTemplate.parse(rule.scopeTemplate())));
        }
        this.rules = List.copyOf(parsed);
    }

    /**
     * Decides a request.
     *
     * @param clientScope the client's allowed scope template
     * @param requested   the capabilities asked for, or {@code null} for "everything I may have"
     */
    public Decision decide(Principal who, ScopeTemplate clientScope, List<Scope> requested) {
        Map<String, String> values = who.templateValues();
        ScopeSet ceiling = ScopeSet.of(clientScope.expand(values).stream().filter(s -> !RequestedScope.isProtocol(s)).toList());
        List<Rule> grants = new ArrayList<>();
        List<Rule> denies = new ArrayList<>();
        for (Rule rule : rules) {
            if (appliesTo(rule.rule(), who)) {
                (rule.rule().effect() == PolicyRule.Effect.GRANT ? grants : denies).add(rule);
            }
        }
        List<Scope> asked = requested != null ? requested : everything(who, ceiling, grants, values);
        List<Scope> granted = new ArrayList<>();
        List<Verdict> verdicts = new ArrayList<>();
        for (Scope scope : asked) {
            Verdict verdict = decide(scope, who, ceiling, grants, denies, values);
            verdicts.add(verdict);
            if (verdict.granted()) {
                granted.add(scope);
            }
        }
        return new Decision(ScopeSet.of(granted), List.copyOf(verdicts));
    }

    private static Verdict decide(Scope scope, Principal who, ScopeSet ceiling, List<Rule> grants, List<Rule> denies,
                                  Map<String, String> values) {
        String text = scope.toString();
        if (!ceiling.covers(scope)) {
            return new Verdict(text, false, "not within client " + who.clientId() + "'s scope");
        }
        String grantedBy = "client " + who.clientId() + "'s scope";
        if (!who.isRobot()) {
            grantedBy = null;
            for (Rule rule : grants) {
                if (ScopeSet.of(rule.template().expand(values)).covers(scope)) {
                    grantedBy = rule.rule().describe();
                    break;
                }
            }
            if (grantedBy == null) {
                return new Verdict(text, false, "no rule grants it to " + who.username());
            }
        }
        for (Rule rule : denies) {
            for (Scope denied : rule.template().expand(values)) {
                if (overlap(denied, scope)) {
                    return new Verdict(text, false, rule.rule().describe());
                }
            }
        }
        return new Verdict(text, true, grantedBy);
    }

    /** When nothing is asked for: every scope both the client and the rules allow, each at its narrower extent. */
    private static List<Scope> everything(Principal who, ScopeSet ceiling, List<Rule> grants, Map<String, String> values) {
        if (who.isRobot()) {
            return ceiling.asList();
        }
        Set<Scope> out = new LinkedHashSet<>();
        for (Rule rule : grants) {
            out.addAll(ScopeSet.of(rule.template().expand(values)).intersect(ceiling).asList());
        }
        return List.copyOf(out);
    }

    private static boolean appliesTo(PolicyRule rule, Principal who) {
        return switch (rule.kind()) {
            case GROUP -> who.groups().contains(rule.subject());
            case USER -> rule.subject().equals(who.username());
            case CLIENT -> rule.subject().equals(who.clientId());
        };
    }

    private static boolean overlap(Scope a, Scope b) {
        return covers(a, b) || covers(b, a);
    }

    private static boolean covers(Scope held, Scope requested) {
        return ScopeSet.of(List.of(held)).covers(requested);
    }
}
