package dev.tessera.issuer.store;

import dev.tessera.issuer.testing.Postgres;

class PostgresStoreTest extends StoreContract {
    @Override
    Database open() throws Exception {
        return Database.open(Postgres.newDatabase(), "postgres", "postgres");
    }
}
