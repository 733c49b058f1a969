package dev.tessera.issuer.store;

/** Every table of one database. */
public record Stores(VoStore vos, KeyStore keys, ClientStore clients, AccountStore accounts, PolicyStore policies,
                     AuditStore audit, Revision revision, DeviceGrantStore deviceGrants, RefreshTokenStore refreshTokens,
                     SessionStore sessions, RevokedTokenStore revokedTokens, RegistrationPolicyStore registration,
                     AuthorizationCodeStore authorizationCodes, ClientAssertionStore clientAssertions,
                     MaintenanceStore maintenance, AdminStore admins) {

    public static Stores of(Database database) {
        var jdbi = database.jdbi();
        return new Stores(new VoStore(jdbi), new KeyStore(jdbi), new ClientStore(jdbi), new AccountStore(jdbi),
                new PolicyStore(jdbi), new AuditStore(jdbi), new Revision(jdbi), new DeviceGrantStore(jdbi),
                new RefreshTokenStore(jdbi), new SessionStore(jdbi), new RevokedTokenStore(jdbi),
                new RegistrationPolicyStore(jdbi), new AuthorizationCodeStore(jdbi),
                new ClientAssertionStore(jdbi), new MaintenanceStore(jdbi), new AdminStore(jdbi));
    }
}
