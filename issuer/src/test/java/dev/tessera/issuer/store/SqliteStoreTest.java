package dev.tessera.issuer.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class SqliteStoreTest extends StoreContract {
    @TempDir
    Path dir;

    @Override
    Database open() {
        return Database.sqlite(dir.resolve("data"));
    }

    @Test
    void theEmbeddedDefaultIsAFileInTheDataDirectory() {
        assertThat(database.isSqlite()).isTrue();
        assertThat(Files.isRegularFile(dir.resolve("data/issuer.db"))).isTrue();
    }

    @Test
    void aSecondProcessCanOpenTheSameFile() {
        try (Database second = Database.sqlite(dir.resolve("data"))) {
            Stores.of(second).vos().insert(vo("ligo"), 1);
        }
        assertThat(stores.vos().find("ligo")).isPresent();
    }

    @Test
    void schemaVersionIsTheNewestMigration() throws Exception {
        try (Stream<Path> files = Files.list(Path.of(Database.class.getResource("/db/migration").toURI()))) {
            int newest = files.map(file -> file.getFileName().toString())
                    .mapToInt(name -> Integer.parseInt(name.substring(1, name.indexOf("__")))).max().orElseThrow();
            assertThat(Database.SCHEMA_VERSION).isEqualTo(newest);
        }
    }

    @Test
    void aDatabaseOfAnEarlierVersionIsMigratedWhenOpened() {
        String url = "jdbc:sqlite:" + dir.resolve("old.db");
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration")
                .target(String.valueOf(Database.SCHEMA_VERSION - 1)).load().migrate();
        try (Database old = Database.open(url, null, null)) {
            assertThat(Database.isCurrent(old.dataSource())).isTrue();
            Stores.of(old).vos().insert(vo("ligo"), 1);
        }
    }

    @Test
    void aNewDatabaseIsNotCurrentUntilMigrated() {
        org.sqlite.SQLiteDataSource empty = new org.sqlite.SQLiteDataSource();
        empty.setUrl("jdbc:sqlite:" + dir.resolve("empty.db"));
        assertThat(Database.isCurrent(empty)).isFalse();
    }
}
