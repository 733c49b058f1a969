package dev.tessera.issuer.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The issuer's database: a SQLite file in the data directory (the embedded default) or PostgreSQL
 * named by a JDBC URL (production; several issuer processes may share it). Opening it brings its
 * schema up to date.
 */
public final class Database implements AutoCloseable {
    /**
     * The version of the newest migration in {@code db/migration} (SqliteStoreTest holds the two together): a
     * database at it opens without Flyway, whose ~420 classes would otherwise stay loaded for the life of
     * every server and admin command (Flyway would have found nothing to do; a database behind or ahead
     * of it still goes through Flyway, which migrates or refuses).
     */
    static final int SCHEMA_VERSION = 10;

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean sqlite;

    private Database(HikariDataSource dataSource, boolean sqlite) {
        this.dataSource = dataSource;
        this.sqlite = sqlite;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** The SQLite database {@code issuer.db} in {@code dataDir}, created on first use. */
    public static Database sqlite(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
        }
        return open("jdbc:sqlite:" + dataDir.resolve("issuer.db").toAbsolutePath(), null, null);
    }

    /**
     * The database at {@code jdbcUrl} ({@code jdbc:postgresql://…} or {@code jdbc:sqlite:FILE}).
     *
     * @throws IllegalArgumentException for any other kind of URL
     */
    public static Database open(String jdbcUrl, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("issuer-db");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        boolean sqlite = jdbcUrl.startsWith("jdbc:sqlite:");
        if (sqlite) {
            // WAL: readers never wait for the writer, and the CLI can change the database of a running
            // server. IMMEDIATE: a writing transaction takes the write lock when it begins, so two
            // writers queue (busy_timeout) instead of failing to upgrade a read lock.
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("busy_timeout", "10000");
            config.addDataSourceProperty("foreign_keys", "true");
            config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            config.addDataSourceProperty("synchronous", "NORMAL");
            config.setMaximumPoolSize(4);
        } else if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            config.setMaximumPoolSize(8);
        } else {
            throw new IllegalArgumentException("unsupported database URL (use jdbc:postgresql:… or jdbc:sqlite:…): "
                    + jdbcUrl.replaceAll("\\?.*", ""));
        }
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            if (!isCurrent(dataSource)) {
                Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
                        .loggers("slf4j").load().migrate();
            }
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource, sqlite);
    }

    /** Whether every migration Flyway recorded succeeded and the newest is {@link #SCHEMA_VERSION}. */
    static boolean isCurrent(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "select version, success from flyway_schema_history where version is not null")) {
            int newest = 0;
            while (rows.next()) {
                if (!rows.getBoolean("success")) {
                    return false;
                }
                newest = Math.max(newest, Integer.parseInt(rows.getString("version")));
            }
            return newest == SCHEMA_VERSION;
        } catch (SQLException | NumberFormatException e) {
            return false;   // a new database (no history yet), or one Flyway should look at
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public boolean isSqlite() {
        return sqlite;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
