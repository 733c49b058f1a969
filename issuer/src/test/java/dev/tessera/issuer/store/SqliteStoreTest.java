package dev.tessera.issuer.store;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
