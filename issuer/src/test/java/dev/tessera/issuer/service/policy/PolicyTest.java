package dev.tessera.issuer.service.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.domain.PolicyRule.Effect;
import dev.tessera.issuer.domain.PolicyRule.Kind;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.Scope;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Policy decisions: client ceiling, grant rules, deny rules, robots, "everything", and the reasons given. */
class PolicyTest {

    private static final String CLIENT = "web-client";
    private static final ScopeTemplate WIDE_CLIENT = template(
            "openid offline_access read:/ligo read:/cms write:/ligo write:/home/{username} storage.modify:/data "
                    + "storage.create:/scratch compute.create read:/ligo2 read:/ligoX");

    private static final Principal ALICE = new Principal(CLIENT, "alice", "sub-alice", List.of("/ligo", "/ligo/analysis"));
    private static final Principal BOB = new Principal(CLIENT, "bob", "sub-bob", List.of("/cms"));

    private int ids;

    private static ScopeTemplate template(String text) {
        try {
            return ScopeTemplate.parse(text);
        } catch (InvalidScopeException e) {
            throw new AssertionError(e);
        }
    }

    private PolicyRule rule(Kind kind, String subject, String template, Effect effect) {
        return new PolicyRule("r" + ++ids, "ligo", kind, subject, template, effect);
    }

    private PolicyRule grantGroup(String group, String template) {
        return rule(Kind.GROUP, group, template, Effect.GRANT);
    }

    private PolicyRule denyGroup(String group, String template) {
        return rule(Kind.GROUP, group, template, Effect.DENY);
    }

    private static Policy policy(PolicyRule... rules) throws InvalidScopeException {
        return new Policy(List.of(rules));
    }

    private static List<Scope> scopes(String... texts) throws InvalidScopeException {
        List<Scope> out = new ArrayList<>();
        for (String text : texts) {
            out.add(Scope.parse(text));
        }
        return out;
    }

    private static List<String> granted(Policy.Decision decision) {
        return decision.granted().asList().stream().map(Scope::toString).toList();
    }

    private static Policy.Verdict verdict(Policy.Decision decision, String scope) {
        return decision.verdicts().stream().filter(v -> v.scope().equals(scope)).findFirst()
                .orElseThrow(() -> new AssertionError("no verdict on " + scope + " in " + decision.verdicts()));
    }

    // ---- construction ----

    @Test
    void malformedRuleTemplateIsRejected() {
        assertThatThrownBy(() -> policy(grantGroup("/ligo", "read:/a/../b"))).isInstanceOf(InvalidScopeException.class);
        assertThatThrownBy(() -> policy(grantGroup("/ligo", "write:/home/{nobody}"))).isInstanceOf(InvalidScopeException.class);
    }

    @Test
    void noRulesGrantsAPersonNothing() throws Exception {
        Policy.Decision d = policy().decide(ALICE, WIDE_CLIENT, scopes("read:/ligo"));
        assertThat(d.granted().isEmpty()).isTrue();
        assertThat(d.refused()).extracting(Policy.Verdict::scope).containsExactly("read:/ligo");
    }

    // ---- group rules and coverage ----

    @Test
    void groupRuleGrantsItsScopeToMembers() throws Exception {
        PolicyRule ligo = grantGroup("/ligo", "read:/ligo");
        Policy.Decision d = policy(ligo).decide(ALICE, WIDE_CLIENT, scopes("read:/ligo"));
        assertThat(granted(d)).containsExactly("read:/ligo");
        assertThat(d.refused()).isEmpty();
        assertThat(verdict(d, "read:/ligo").reason()).isEqualTo(ligo.describe()).isEqualTo("group /ligo grants read:/ligo");
    }

    @Test
    void groupRuleDoesNotGrantToNonMembers() throws Exception {
        Policy.Decision d = policy(grantGroup("/ligo", "read:/ligo")).decide(BOB, WIDE_CLIENT, scopes("read:/ligo"));
        assertThat(granted(d)).isEmpty();
        assertThat(verdict(d, "read:/ligo").granted()).isFalse();
        assertThat(verdict(d, "read:/ligo").reason()).isEqualTo("no rule grants it to bob");
    }

    @Test
    void groupRulesMatchExactGroupNamesOnly() throws Exception {
        Principal sub = new Principal(CLIENT, "sam", "sub-sam", List.of("/ligo/analysis"));
        Principal similar = new Principal(CLIENT, "sid", "sub-sid", List.of("/ligo2", "/LIGO"));
        Policy policy = policy(grantGroup("/ligo", "read:/ligo"));
        assertThat(granted(policy.decide(sub, WIDE_CLIENT, scopes("read:/ligo")))).isEmpty();
        assertThat(granted(policy.decide(similar, WIDE_CLIENT, scopes("read:/ligo")))).isEmpty();
    }

    @Test
    void narrowerPathIsGrantedUnderABroaderRule() throws Exception {
        Policy.Decision d = policy(grantGroup("/ligo", "read:/ligo"))
                .decide(ALICE, WIDE_CLIENT, scopes("read:/ligo/O3", "read:/ligo/O3/frames/x.gwf"));
        assertThat(granted(d)).containsExactly("read:/ligo/O3", "read:/ligo/O3/frames/x.gwf");
        assertThat(d.verdicts()).allSatisfy(v -> assertThat(v.reason()).isEqualTo("group /ligo grants read:/ligo"));
    }

    @Test
    void broaderPathThanTheRuleIsRefused() throws Exception {
        ScopeTemplate client = template("read:/");
        Policy.Decision d = policy(grantGroup("/ligo", "read:/ligo")).decide(ALICE, client, scopes("read:/"));
        assertThat(granted(d)).isEmpty();
        assertThat(verdict(d, "read:/").reason()).isEqualTo("no rule grants it to alice");
    }

    @Test
    void siblingPrefixIsNotUnderTheRule() throws Exception {
        Policy.Decision d = policy(grantGroup("/ligo", "read:/ligo"))
                .decide(ALICE, WIDE_CLIENT, scopes("read:/ligo2", "read:/ligoX", "read:/ligo/ok"));
        assertThat(granted(d)).containsExactly("read:/ligo/ok");
        assertThat(d.refused()).extracting(Policy.Verdict::scope).containsExactly("read:/ligo2", "read:/ligoX");
    }

    @Test
    void authorizationMustMatchNotJustThePath() throws Exception {
        Policy.Decision d = policy(grantGroup("/ligo", "read:/ligo"))
                .decide(ALICE, WIDE_CLIENT, scopes("write:/ligo", "storage.read:/ligo"));
        assertThat(granted(d)).isEmpty();
    }

    @Test
    void storageModifyCoversStorageCreate() throws Exception {
        ScopeTemplate client = template("storage.modify:/data storage.create:/data");
        Policy.Decision d = policy(grantGroup("/ligo", "storage.modify:/data"))
                .decide(ALICE, client, scopes("storage.create:/data/run1"));
        assertThat(granted(d)).containsExactly("storage.create:/data/run1");
        assertThat(verdict(d, "storage.create:/data/run1").reason()).isEqualTo("group /ligo grants storage.modify:/data");
    }

    @Test
    void storageCreateDoesNotCoverStorageModify() throws Exception {
        ScopeTemplate client = template("storage.modify:/data storage.create:/data");
        Policy.Decision d = policy(grantGroup("/ligo", "storage.create:/data"))
                .decide(ALICE, client, scopes("storage.modify:/data", "storage.modify:/data/run1"));
        assertThat(granted(d)).isEmpty();
        assertThat(d.refused()).hasSize(2);
    }

    @Test
    void namedScopesMustMatchExactly() throws Exception {
        ScopeTemplate client = template("compute.create compute.read");
        Policy.Decision d = policy(grantGroup("/ligo", "compute.create"))
                .decide(ALICE, client, scopes("compute.create", "compute.read"));
        assertThat(granted(d)).containsExactly("compute.create");
    }

    @Test
    void anyOfSeveralRulesMayGrant() throws Exception {
        PolicyRule ligo = grantGroup("/ligo", "read:/ligo");
        PolicyRule analysis = grantGroup("/ligo/analysis", "write:/ligo/analysis");
        PolicyRule cms = grantGroup("/cms", "read:/cms");
        Policy.Decision d = policy(ligo, analysis, cms)
                .decide(ALICE, WIDE_CLIENT, scopes("read:/ligo/x", "write:/ligo/analysis/y", "read:/cms"));
        assertThat(granted(d)).containsExactly("read:/ligo/x", "write:/ligo/analysis/y");
        assertThat(verdict(d, "read:/ligo/x").reason()).isEqualTo(ligo.describe());
        assertThat(verdict(d, "write:/ligo/analysis/y").reason()).isEqualTo(analysis.describe());
        assertThat(verdict(d, "read:/cms").reason()).isEqualTo("no rule grants it to alice");
    }

    @Test
    void verdictsFollowTheRequestOrder() throws Exception {
        Policy.Decision d = policy(grantGroup("/ligo", "read:/ligo"))
                .decide(ALICE, WIDE_CLIENT, scopes("read:/cms", "read:/ligo", "write:/ligo"));
        assertThat(d.verdicts()).extracting(Policy.Verdict::scope).containsExactly("read:/cms", "read:/ligo", "write:/ligo");
        assertThat(d.verdicts()).extracting(Policy.Verdict::granted).containsExactly(false, true, false);
    }

    // ---- client ceiling ----

    @Test
    void clientCeilingRefusesWhatItDoesNotCoverEvenIfARuleGrantsIt() throws Exception {
        ScopeTemplate narrowClient = template("openid read:/ligo/public");
        Policy.Decision d = policy(grantGroup("/ligo", "read:/ligo write:/ligo"))
                .decide(ALICE, narrowClient, scopes("read:/ligo", "write:/ligo/x", "read:/ligo/public/a"));
        assertThat(granted(d)).containsExactly("read:/ligo/public/a");
        assertThat(verdict(d, "read:/ligo").reason()).isEqualTo("not within client web-client's scope");
        assertThat(verdict(d, "write:/ligo/x").reason()).isEqualTo("not within client web-client's scope");
    }

    @Test
    void clientCeilingIsCheckedBeforeRules() throws Exception {
        // nothing grants it either, but the ceiling is the reason given
        Policy.Decision d = policy().decide(ALICE, template("read:/cms"), scopes("read:/ligo"));
        assertThat(verdict(d, "read:/ligo").reason()).isEqualTo("not within client web-client's scope");
    }

    @Test
    void clientWithBlankScopeGrantsNothing() throws Exception {
        Policy.Decision d = policy(grantGroup("/ligo", "read:/ligo")).decide(ALICE, template(""), scopes("read:/ligo"));
        assertThat(granted(d)).isEmpty();
        Policy.Decision all = policy(grantGroup("/ligo", "read:/ligo")).decide(ALICE, template(""), null);
        assertThat(granted(all)).isEmpty();
        assertThat(all.verdicts()).isEmpty();
    }

    @Test
    void clientCeilingTemplateExpandsPerUser() throws Exception {
        ScopeTemplate client = template("write:/home/{username}");
        Policy policy = policy(grantGroup("/ligo", "write:/home"));
        assertThat(granted(policy.decide(ALICE, client, scopes("write:/home/alice/f")))).containsExactly("write:/home/alice/f");
        Policy.Decision other = policy.decide(ALICE, client, scopes("write:/home/bob"));
        assertThat(verdict(other, "write:/home/bob").reason()).isEqualTo("not within client web-client's scope");
    }

    // ---- deny rules ----

    @Test
    void denyRuleRefusesNarrowerRequests() throws Exception {
        PolicyRule deny = denyGroup("/ligo", "write:/ligo/secret");
        Policy.Decision d = policy(grantGroup("/ligo", "write:/ligo"), deny)
                .decide(ALICE, WIDE_CLIENT, scopes("write:/ligo/secret/x", "write:/ligo/secret", "write:/ligo/public"));
        assertThat(granted(d)).containsExactly("write:/ligo/public");
        assertThat(verdict(d, "write:/ligo/secret/x").reason()).isEqualTo(deny.describe())
                .isEqualTo("group /ligo denies write:/ligo/secret");
        assertThat(verdict(d, "write:/ligo/secret").reason()).isEqualTo(deny.describe());
    }

    @Test
    void denyRuleRefusesBroaderRequestsThatWouldIncludeIt() throws Exception {
        PolicyRule deny = denyGroup("/ligo", "write:/ligo/secret");
        Policy.Decision d = policy(grantGroup("/ligo", "write:/ligo"), deny).decide(ALICE, WIDE_CLIENT, scopes("write:/ligo"));
        assertThat(granted(d)).isEmpty();
        assertThat(verdict(d, "write:/ligo").reason()).isEqualTo(deny.describe());
    }

    @Test
    void denyRuleDoesNotTouchSiblingsOrOtherAuthorizations() throws Exception {
        Policy.Decision d = policy(grantGroup("/ligo", "write:/ligo read:/ligo"), denyGroup("/ligo", "write:/ligo/secret"))
                .decide(ALICE, WIDE_CLIENT, scopes("write:/ligo/secretive", "read:/ligo/secret", "write:/ligo/other"));
        assertThat(granted(d)).containsExactly("write:/ligo/secretive", "read:/ligo/secret", "write:/ligo/other");
    }

    @Test
    void denyOnStorageCreateRefusesAStorageModifyRequestThatImpliesIt() throws Exception {
        ScopeTemplate client = template("storage.modify:/data");
        Policy.Decision d = policy(grantGroup("/ligo", "storage.modify:/data"), denyGroup("/ligo", "storage.create:/data/locked"))
                .decide(ALICE, client, scopes("storage.modify:/data", "storage.create:/data/open"));
        assertThat(granted(d)).containsExactly("storage.create:/data/open");
    }

    @Test
    void denyRulesOfOtherGroupsDoNotApply() throws Exception {
        Policy.Decision d = policy(grantGroup("/ligo", "write:/ligo"), denyGroup("/cms", "write:/ligo"))
                .decide(ALICE, WIDE_CLIENT, scopes("write:/ligo"));
        assertThat(granted(d)).containsExactly("write:/ligo");
    }

    @Test
    void denyWinsOverGrantWhateverTheRuleOrder() throws Exception {
        PolicyRule deny = denyGroup("/ligo/analysis", "read:/ligo/embargo");
        Policy.Decision d = policy(deny, grantGroup("/ligo", "read:/ligo"))
                .decide(ALICE, WIDE_CLIENT, scopes("read:/ligo/embargo/f"));
        assertThat(granted(d)).isEmpty();
        assertThat(d.refused()).singleElement().extracting(Policy.Verdict::reason).isEqualTo(deny.describe());
    }

    @Test
    void denyRuleTemplatesExpandPerUser() throws Exception {
        Policy policy = policy(grantGroup("/ligo", "write:/ligo"), denyGroup("/ligo", "write:/ligo/home/{username}"));
        ScopeTemplate client = template("write:/ligo");
        assertThat(granted(policy.decide(ALICE, client, scopes("write:/ligo/home/alice")))).isEmpty();
        assertThat(granted(policy.decide(ALICE, client, scopes("write:/ligo/home/bob")))).containsExactly("write:/ligo/home/bob");
    }

    // ---- user and client rules ----

    @Test
    void userRuleGrantsToThatUserOnly() throws Exception {
        PolicyRule forBob = rule(Kind.USER, "bob", "read:/ligo", Effect.GRANT);
        Policy policy = policy(forBob);
        Policy.Decision bob = policy.decide(BOB, WIDE_CLIENT, scopes("read:/ligo/x"));
        assertThat(granted(bob)).containsExactly("read:/ligo/x");
        assertThat(verdict(bob, "read:/ligo/x").reason()).isEqualTo("user bob grants read:/ligo");
        assertThat(granted(policy.decide(ALICE, WIDE_CLIENT, scopes("read:/ligo/x")))).isEmpty();
    }

    @Test
    void userDenyRuleAppliesToThatUserOnly() throws Exception {
        PolicyRule denyAlice = rule(Kind.USER, "alice", "read:/ligo/embargo", Effect.DENY);
        Policy policy = policy(grantGroup("/ligo", "read:/ligo"), denyAlice);
        Principal carol = new Principal(CLIENT, "carol", "sub-carol", List.of("/ligo"));
        Policy.Decision alice = policy.decide(ALICE, WIDE_CLIENT, scopes("read:/ligo/embargo"));
        assertThat(granted(alice)).isEmpty();
        assertThat(verdict(alice, "read:/ligo/embargo").reason()).isEqualTo("user alice denies read:/ligo/embargo");
        assertThat(granted(policy.decide(carol, WIDE_CLIENT, scopes("read:/ligo/embargo")))).containsExactly("read:/ligo/embargo");
    }

    @Test
    void clientRuleGrantsToEveryoneUsingThatClient() throws Exception {
        PolicyRule viaClient = rule(Kind.CLIENT, CLIENT, "read:/cms", Effect.GRANT);
        Policy policy = policy(viaClient);
        Policy.Decision d = policy.decide(ALICE, WIDE_CLIENT, scopes("read:/cms/a"));
        assertThat(granted(d)).containsExactly("read:/cms/a");
        assertThat(verdict(d, "read:/cms/a").reason()).isEqualTo("client web-client grants read:/cms");
        Principal viaOther = new Principal("other-client", "alice", "sub-alice", List.of("/ligo"));
        assertThat(granted(policy.decide(viaOther, WIDE_CLIENT, scopes("read:/cms/a")))).isEmpty();
    }

    @Test
    void clientDenyRuleAppliesToUsersOfThatClient() throws Exception {
        Policy policy = policy(grantGroup("/ligo", "write:/ligo"), rule(Kind.CLIENT, CLIENT, "write:/ligo", Effect.DENY));
        assertThat(granted(policy.decide(ALICE, WIDE_CLIENT, scopes("write:/ligo/x")))).isEmpty();
        Principal viaOther = new Principal("other-client", "alice", "sub-alice", List.of("/ligo"));
        assertThat(granted(policy.decide(viaOther, WIDE_CLIENT, scopes("write:/ligo/x")))).containsExactly("write:/ligo/x");
    }

    // ---- templates in rules ----

    @Test
    void usernameTemplateExpandsPerUser() throws Exception {
        Policy policy = policy(grantGroup("/users", "write:/home/{username}"));
        ScopeTemplate client = template("write:/home");
        Principal alice = new Principal(CLIENT, "alice", "s1", List.of("/users"));
        Principal bob = new Principal(CLIENT, "bob", "s2", List.of("/users"));
        assertThat(granted(policy.decide(alice, client, scopes("write:/home/alice/f", "write:/home/bob/f"))))
                .containsExactly("write:/home/alice/f");
        assertThat(granted(policy.decide(bob, client, scopes("write:/home/alice/f", "write:/home/bob/f"))))
                .containsExactly("write:/home/bob/f");
    }

    @Test
    void subAndClientIdTemplatesExpand() throws Exception {
        Policy policy = policy(grantGroup("/ligo", "storage.create:/user/{sub} read:/by-client/{client_id}"));
        ScopeTemplate client = template("storage.create:/user read:/by-client");
        assertThat(granted(policy.decide(ALICE, client, scopes("storage.create:/user/sub-alice/x", "read:/by-client/web-client"))))
                .containsExactly("storage.create:/user/sub-alice/x", "read:/by-client/web-client");
    }

    @Test
    void userWithAnUnsafeUsernameGetsNothingFromTheTemplate() throws Exception {
        Policy policy = policy(grantGroup("/users", "read:/public write:/home/{username}"));
        ScopeTemplate client = template("read:/public write:/home write:/");
        for (String bad : List.of("..", ".", "a/b", "a b", "a%2fb", "")) {
            Principal who = new Principal(CLIENT, bad, "s", List.of("/users"));
            assertThat(granted(policy.decide(who, client, scopes("write:/home", "write:/", "read:/public"))))
                    .as("username '%s'", bad)
                    .containsExactly("read:/public");
            assertThat(granted(policy.decide(who, client, null))).as("everything, username '%s'", bad)
                    .containsExactly("read:/public");
        }
    }

    // ---- robots ----

    @Test
    void robotGetsItsClientScopeWithoutRules() throws Exception {
        Principal robot = Principal.robot("robot-1");
        ScopeTemplate client = template("read:/data write:/data/robot compute.create");
        Policy.Decision d = policy().decide(robot, client, scopes("read:/data/x", "write:/data/robot", "compute.create"));
        assertThat(granted(d)).containsExactly("read:/data/x", "write:/data/robot", "compute.create");
        assertThat(d.verdicts()).allSatisfy(v -> assertThat(v.reason()).isEqualTo("client robot-1's scope"));
    }

    @Test
    void robotIsStillLimitedByItsClientScope() throws Exception {
        Principal robot = Principal.robot("robot-1");
        Policy.Decision d = policy(rule(Kind.CLIENT, "robot-1", "write:/", Effect.GRANT))
                .decide(robot, template("read:/data"), scopes("write:/data", "read:/"));
        assertThat(granted(d)).isEmpty();
        assertThat(d.refused()).allSatisfy(v -> assertThat(v.reason()).isEqualTo("not within client robot-1's scope"));
    }

    @Test
    void robotIsSubjectToDenyRulesForItsClient() throws Exception {
        Principal robot = Principal.robot("robot-1");
        PolicyRule deny = rule(Kind.CLIENT, "robot-1", "write:/data/frozen", Effect.DENY);
        Policy.Decision d = policy(deny).decide(robot, template("write:/data"), scopes("write:/data/frozen/x", "write:/data/live"));
        assertThat(granted(d)).containsExactly("write:/data/live");
        assertThat(verdict(d, "write:/data/frozen/x").reason()).isEqualTo(deny.describe());
    }

    @Test
    void groupAndUserRulesDoNotApplyToRobots() throws Exception {
        Principal robot = Principal.robot("robot-1");
        Policy policy = policy(denyGroup("/ligo", "read:/data"), rule(Kind.USER, "robot-1", "read:/data", Effect.DENY));
        assertThat(granted(policy.decide(robot, template("read:/data"), scopes("read:/data")))).containsExactly("read:/data");
    }

    @Test
    void robotClientScopeWithAUsernamePlaceholderGivesNothingForIt() throws Exception {
        Principal robot = Principal.robot("robot-1");
        Policy.Decision d = policy().decide(robot, template("read:/data write:/home/{username} read:/c/{client_id}"), null);
        assertThat(granted(d)).containsExactly("read:/data", "read:/c/robot-1");
    }

    // ---- "everything" (no capability asked for) ----

    @Test
    void everythingForAUserIsTheIntersectionOfRulesAndCeiling() throws Exception {
        Policy policy = policy(grantGroup("/ligo", "read:/ligo write:/ligo/analysis compute.create read:/cms"));
        ScopeTemplate client = template("openid offline_access read:/ligo/O3 write:/ligo compute.create storage.create:/x");
        Policy.Decision d = policy.decide(ALICE, client, null);
        // each at the narrower extent: read:/ligo/O3 (the client's), write:/ligo/analysis (the rule's)
        assertThat(granted(d)).containsExactlyInAnyOrder("read:/ligo/O3", "write:/ligo/analysis", "compute.create");
        assertThat(d.refused()).isEmpty();
    }

    @Test
    void everythingForAUserUsesTheImpliedAuthorizationAtItsNarrowerExtent() throws Exception {
        Policy policy = policy(grantGroup("/ligo", "storage.modify:/data storage.create:/scratch/alice"));
        ScopeTemplate client = template("storage.create:/data/in storage.modify:/scratch");
        assertThat(granted(policy.decide(ALICE, client, null)))
                .containsExactlyInAnyOrder("storage.create:/data/in", "storage.create:/scratch/alice");
    }

    @Test
    void everythingLeavesOutProtocolScopesAndWhatNoRuleGrants() throws Exception {
        Policy policy = policy(grantGroup("/ligo", "read:/ligo"));
        Policy.Decision d = policy.decide(ALICE, template("openid offline_access profile read:/ligo read:/cms"), null);
        assertThat(granted(d)).containsExactly("read:/ligo");
    }

    @Test
    void everythingForAUserWithNoApplicableRulesIsNothing() throws Exception {
        Policy.Decision d = policy(grantGroup("/ligo", "read:/ligo")).decide(BOB, WIDE_CLIENT, null);
        assertThat(granted(d)).isEmpty();
        assertThat(d.verdicts()).isEmpty();
    }

    @Test
    void everythingForAUserStillHonoursDenyRules() throws Exception {
        PolicyRule deny = denyGroup("/ligo", "write:/ligo/secret");
        Policy.Decision d = policy(grantGroup("/ligo", "read:/ligo write:/ligo"), deny)
                .decide(ALICE, template("read:/ligo write:/ligo"), null);
        // write:/ligo would include the denied path, so it is refused as a whole
        assertThat(granted(d)).containsExactly("read:/ligo");
        assertThat(verdict(d, "write:/ligo").reason()).isEqualTo(deny.describe());
    }

    @Test
    void everythingForARobotIsItsClientScopeWithoutProtocolScopes() throws Exception {
        Principal robot = Principal.robot("robot-1");
        Policy.Decision d = policy(grantGroup("/ligo", "write:/ligo"))
                .decide(robot, template("openid offline_access read:/data compute.create wlcg.groups"), null);
        assertThat(granted(d)).containsExactly("read:/data", "compute.create");
        assertThat(d.verdicts()).extracting(Policy.Verdict::granted).containsOnly(true);
    }

    @Test
    void everythingForARobotHonoursClientDenyRules() throws Exception {
        Principal robot = Principal.robot("robot-1");
        Policy.Decision d = policy(rule(Kind.CLIENT, "robot-1", "write:/data/frozen", Effect.DENY))
                .decide(robot, template("read:/data write:/data"), null);
        assertThat(granted(d)).containsExactly("read:/data");
    }

    @Test
    void protocolScopesInTheClientScopeAreNotGrantable() throws Exception {
        Policy.Decision d = policy(grantGroup("/ligo", "openid")).decide(ALICE, template("openid"), scopes("openid"));
        assertThat(granted(d)).isEmpty();
        assertThat(verdict(d, "openid").reason()).isEqualTo("not within client web-client's scope");
    }
}
