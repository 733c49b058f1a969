package dev.tessera.cli;

import java.time.Duration;
import picocli.CommandLine;

/** Duration options as people write them ({@code 20m}, {@code 1h30m}, {@code 3600}); see {@link dev.tessera.web.Durations}. */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        try {
            return dev.tessera.web.Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    static String format(Duration d) {
        return dev.tessera.web.Durations.format(d);
    }
}
