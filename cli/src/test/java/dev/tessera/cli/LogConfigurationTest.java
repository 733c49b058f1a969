package dev.tessera.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

class LogConfigurationTest {
    /** A configuration that sees only {@code settings} (no system properties, no environment). */
    private static LogConfiguration with(Map<String, String> settings) {
        return new LogConfiguration(settings::get);
    }

    @Test
    void theCommandsLogThroughIt() {
        // the service file is found: the context the commands use was configured by it, not by Logback's default
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getLogger("org.eclipse.jetty").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT")).isInstanceOf(ConsoleAppender.class);
    }

    @Test
    void oneLineOnStdoutAtInfoWithLibrariesQuieter() {
        LoggerContext context = new LoggerContext();
        assertThat(with(Map.of()).configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        assertThat(root.getAppender("STDOUT").isStarted()).isTrue();
        assertThat(context.getLogger("com.zaxxer.hikari").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.flywaydb").getLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void theLevelComesFromTesseraLogLevel() {
        LoggerContext context = new LoggerContext();
        with(Map.of("TESSERA_LOG_LEVEL", "WARN")).configure(context);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
        LoggerContext typo = new LoggerContext();
        with(Map.of("TESSERA_LOG_LEVEL", "loud")).configure(typo); // not a level: the default, still logging
        assertThat(typo.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
    }

    @Test
    void aSystemPropertyIsASetting() {
        String before = System.getProperty("TESSERA_LOG_LEVEL");
        System.setProperty("TESSERA_LOG_LEVEL", "ERROR"); // as the demo sets it before logging starts
        try {
            LoggerContext context = new LoggerContext();
            new LogConfiguration().configure(context);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.ERROR);
        } finally {
            if (before == null) {
                System.clearProperty("TESSERA_LOG_LEVEL");
            } else {
                System.setProperty("TESSERA_LOG_LEVEL", before);
            }
        }
    }

    @Test
    void anAdministratorsOwnFileWins() {
        LoggerContext context = new LoggerContext();
        assertThat(with(Map.of("logback.configurationFile", "/etc/tessera/logback.xml")).configure(context))
                .isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT")).isNull();
    }
}
