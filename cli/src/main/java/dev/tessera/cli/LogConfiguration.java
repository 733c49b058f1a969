package dev.tessera.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.function.UnaryOperator;

/**
 * Tessera's logging: one line per event on stdout (servers log to stdout, 12-factor); tokens never appear
 * in it, only their jti. {@code TESSERA_LOG_LEVEL} (environment or system property) sets the level, INFO by
 * default (also for a value that is not a level); the {@code tessera.access.*} loggers switch the access lines on or off (they are written by
 * {@code dev.tessera.web.AccessLog}'s own batching writer, straight to stdout).
 *
 * <p>Set in code rather than in a {@code logback.xml}: reading XML brings in Logback's configuration
 * language, some 280 classes that every server would keep loaded for nothing. An administrator's own file
 * still wins: with {@code -Dlogback.configurationFile=FILE} this configurator steps aside.
 */
public final class LogConfiguration extends ContextAwareBase implements Configurator {
    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{24} %msg%n";

    private final UnaryOperator<String> settings;

    /** Settings from system properties (the demo sets one before logging starts), else the environment. */
    public LogConfiguration() {
        this(name -> System.getProperty(name, System.getenv(name)));
    }

    LogConfiguration(UnaryOperator<String> settings) {
        this.settings = settings;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (settings.apply("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("STDOUT");
        stdout.setEncoder(encoder);
        stdout.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(settings.apply("TESSERA_LOG_LEVEL"), Level.INFO));
        root.addAppender(stdout);
        context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
        // pool and schema migration chatter would mix with admin commands' JSON output
        context.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
        context.getLogger("org.flywaydb").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
