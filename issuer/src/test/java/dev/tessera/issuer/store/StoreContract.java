package dev.tessera.issuer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.token.Profile;
import dev.tessera.token.keys.Algorithm;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every database behind the issuer must do: run by {@link SqliteStoreTest} and {@link PostgresStoreTest}. */
abstract class StoreContract {
    Database database;
    Stores stores;

    abstract Database open() throws Exception;

    @BeforeEach
    void openDatabase() throws Exception {
        database = open();
        stores = Stores.of(database);
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    static Vo vo(String name) {
        return new Vo(name, "https://tokens.example.org/vo/" + name, Profile.WLCG_1, Algorithm.ES256, Duration.ofMinutes(20),
                Duration.ofHours(6), "https://wlcg.cern.ch/jwt/v1/any");
    }

    @Test
    void anOpenedDatabaseIsAtTheNewestMigration() {
        assertThat(Database.isCurrent(database.dataSource())).isTrue();
    }

    @Test
    void vosRoundTrip() {
        stores.vos().insert(vo("ligo"), 100);
        stores.vos().insert(vo("cms"), 100);
        assertThat(stores.vos().list()).extracting(Vo::name).containsExactly("cms", "ligo");
        assertThat(stores.vos().find("ligo")).contains(vo("ligo"));
        assertThat(stores.vos().find("nope")).isEmpty();
        assertThatThrownBy(() -> stores.vos().insert(vo("ligo"), 100)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void everyConfigurationChangeMovesTheRevision() {
        long start = stores.revision().current();
        stores.vos().insert(vo("ligo"), 1);
        long afterVo = stores.revision().current();
        stores.clients().insert(client("ligo", "c1"), 1);
        long afterClient = stores.revision().current();
        stores.policies().insert(new PolicyRule("r1", "ligo", PolicyRule.Kind.GROUP, "/ligo", "read:/ligo",
                PolicyRule.Effect.GRANT), 1);
        long afterRule = stores.revision().current();
        stores.keys().insert(new StoredKey("ligo", "k1", Algorithm.ES256, "sealed", "{}", 1, 1));
        long afterKey = stores.revision().current();
        stores.clients().delete("ligo", "c1");
        assertThat(List.of(start, afterVo, afterClient, afterRule, afterKey, stores.revision().current())).doesNotHaveDuplicates()
                .isSorted();
    }

    static Client client(String vo, String id) {
        return new Client(vo, id, "Robot " + id, "sha256:abc", Set.of(Client.CLIENT_CREDENTIALS, Client.REFRESH_TOKEN),
                "read:/ligo write:/home/{username}", List.of("https://a.example.org", "https://b.example.org"),
                List.of("https://app.example.org/callback"));
    }

    @Test
    void clientsRoundTripWithTheirLists() {
        stores.vos().insert(vo("ligo"), 1);
        Client client = client("ligo", "c1");
        stores.clients().insert(client, 1);
        Client publicClient = new Client("ligo", "c2", "Public", null, Set.of(Client.DEVICE_CODE), "", List.of(), List.of());
        stores.clients().insert(publicClient, 1);
        assertThat(stores.clients().list()).containsExactly(client, publicClient);
        assertThat(stores.clients().delete("ligo", "c1")).isTrue();
        assertThat(stores.clients().delete("ligo", "c1")).isFalse();
    }

    @Test
    void clientKeysAndLifetimesRoundTrip() {
        stores.vos().insert(vo("ligo"), 1);
        Client keyed = new Client("ligo", "c3", "Keyed", null, Set.of(Client.CLIENT_CREDENTIALS), "compute.create",
                List.of(), List.of(), false, "{\"keys\":[]}", new Client.Lifetimes(Duration.ofMinutes(5), null,
                Duration.ofDays(1)));
        stores.clients().insert(keyed, 1);
        assertThat(stores.clients().list()).containsExactly(keyed);
        assertThat(keyed.authMethod()).isEqualTo("private_key_jwt");
        assertThat(keyed.isPublic()).isFalse();
    }

    @Test
    void aClientAssertionIsUsedOnce() {
        stores.vos().insert(vo("ligo"), 1);
        assertThat(stores.clientAssertions().firstUse("ligo", "c1", "jti-1", 100)).isTrue();
        assertThat(stores.clientAssertions().firstUse("ligo", "c1", "jti-1", 100)).isFalse();
        assertThat(stores.clientAssertions().firstUse("ligo", "c2", "jti-1", 100)).as("another client's").isTrue();
    }

    @Test
    void anAuthorizationCodeIsRedeemedOnce() {
        stores.vos().insert(vo("ligo"), 1);
        stores.authorizationCodes().insert(new dev.tessera.issuer.domain.AuthorizationCode("h1", "ligo", "c1",
                "https://app/cb", true, "alice", "read:/ligo", "", "n", null, 10, 10, 70, null, null, null));
        assertThat(stores.authorizationCodes().redeem("h1", 20)).isTrue();
        assertThat(stores.authorizationCodes().redeem("h1", 21)).isFalse();
        stores.authorizationCodes().recordIssued("h1", "family", "jti");
        assertThat(stores.authorizationCodes().find("h1")).hasValueSatisfying(c -> {
            assertThat(c.redeemedAt()).isEqualTo(20L);
            assertThat(c.familyId()).isEqualTo("family");
            assertThat(c.redirectGiven()).isTrue();
        });
    }

    @Test
    void oneServerAtATimeHoldsTheMaintenanceLease() {
        assertThat(stores.maintenance().lease("maintenance", "a", 1000, Duration.ofMinutes(10))).isTrue();
        assertThat(stores.maintenance().lease("maintenance", "b", 1001, Duration.ofMinutes(10))).isFalse();
        assertThat(stores.maintenance().lease("maintenance", "a", 1002, Duration.ofMinutes(10))).as("renewed").isTrue();
        assertThat(stores.maintenance().lease("maintenance", "b", 1002 + 601, Duration.ofMinutes(10))).as("lapsed").isTrue();
    }

    @Test
    void keySchedulesAndExpiredRows() {
        stores.vos().insert(vo("ligo"), 1);
        stores.maintenance().setKeySchedule("ligo", Duration.ofDays(30));
        assertThat(stores.maintenance().keySchedules()).containsExactly(java.util.Map.entry("ligo", Duration.ofDays(30)));
        stores.maintenance().setKeySchedule("ligo", null);
        assertThat(stores.maintenance().keySchedules()).isEmpty();

        stores.clientAssertions().firstUse("ligo", "c1", "old", 100);
        stores.clientAssertions().firstUse("ligo", "c1", "new", 300);
        stores.sessions().insert("s1", "ligo", "alice", 0, 150);
        assertThat(stores.maintenance().deleteExpired(200))
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("client_assertion", 1, "login_session", 1));
        assertThat(stores.clientAssertions().firstUse("ligo", "c1", "new", 300)).as("kept").isFalse();
    }

    @Test
    void aClientNeedsItsVo() {
        assertThatThrownBy(() -> stores.clients().insert(client("nope", "c1"), 1)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void accountsKeepTheirGroupsAndHashes() {
        stores.vos().insert(vo("ligo"), 1);
        stores.accounts().insert(new Account("ligo", "alice", "sub-1", List.of("/ligo", "/ligo/analysis")), "$hash", 1);
        stores.accounts().addGroups("ligo", "alice", List.of("/ligo", "/virgo"));
        AccountStore.Stored alice = stores.accounts().find("ligo", "alice").orElseThrow();
        assertThat(alice.passwordHash()).isEqualTo("$hash");
        assertThat(alice.account().groups()).containsExactly("/ligo", "/ligo/analysis", "/virgo");
        assertThat(stores.accounts().list("ligo")).extracting(Account::subject).containsExactly("sub-1");
        assertThatThrownBy(() -> stores.accounts().insert(new Account("ligo", "bob", "sub-1", List.of()), null, 1))
                .as("a subject is never reused").isInstanceOf(RuntimeException.class);
    }

    @Test
    void policyRulesKeepTheirOrder() {
        stores.vos().insert(vo("ligo"), 1);
        PolicyRule first = new PolicyRule("b", "ligo", PolicyRule.Kind.GROUP, "/ligo", "read:/ligo", PolicyRule.Effect.GRANT);
        PolicyRule second = new PolicyRule("a", "ligo", PolicyRule.Kind.USER, "alice", "write:/x", PolicyRule.Effect.DENY);
        stores.policies().insert(first, 1);
        stores.policies().insert(second, 2);
        assertThat(stores.policies().list()).containsExactly(first, second);
        assertThat(stores.policies().delete("ligo", "b")).isTrue();
        assertThat(stores.policies().list()).containsExactly(second);
    }

    @Test
    void keysRoundTripInActivationOrder() {
        stores.vos().insert(vo("ligo"), 1);
        StoredKey later = new StoredKey("ligo", "k2", Algorithm.RS256, "sealed2", "{\"kid\":\"k2\"}", 5, 50);
        StoredKey earlier = new StoredKey("ligo", "k1", Algorithm.ES256, "sealed1", "{\"kid\":\"k1\"}", 1, 1);
        stores.keys().insert(later);
        stores.keys().insert(earlier);
        assertThat(stores.keys().list()).containsExactly(earlier, later);
        stores.keys().delete("ligo", "k1");
        assertThat(stores.keys().list()).containsExactly(later);
    }

    @Test
    void auditEventsAreWrittenInBatchesAndExpire() {
        List<AuditStore.Event> events = new java.util.ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            events.add(new AuditStore.Event("e" + i, "ligo", 1000 + i, "token_issued", "c1", "s1", "j" + i, "read:/x",
                    "https://a", i % 2 == 0 ? null : 5000L + i));
        }
        stores.audit().insert(events);
        List<AuditStore.Event> latest = stores.audit().latest("ligo", 2);
        assertThat(latest).containsExactly(events.get(1199), events.get(1198));
        assertThat(stores.audit().deleteOlderThan(1100)).isEqualTo(100);
        assertThat(stores.audit().latest("ligo", 5000)).hasSize(1100);
    }
}
