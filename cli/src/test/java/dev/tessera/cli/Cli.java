package dev.tessera.cli;

import dev.tessera.token.jws.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.List;
import java.util.Map;

/** Runs {@code tessera} in-process through {@link Tessera#run} and captures what it prints. */
final class Cli {
    private Cli() {
    }

    /** What one run did. */
    record Result(int exit, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }

        /** The last non-empty line of standard output. */
        String lastLine() {
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        /** Standard output parsed as one JSON object. */
        Map<String, Object> json() {
            try {
                return Json.parseObject(out.strip());
            } catch (ParseException e) {
                throw new AssertionError("standard output is not a JSON object: " + out, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    static Result tessera(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
            exit = Tessera.run(args, o, e);
        }
        return new Result(exit, out.toString(), err.toString());
    }

    /** Variables a test process never inherits from the developer's environment. */
    static final List<String> SCRUBBED = List.of("BEARER_TOKEN", "BEARER_TOKEN_FILE", "XDG_RUNTIME_DIR",
            "TESSERA_CA_FILE", "TESSERA_KEY_PASSPHRASE", "TESSERA_MAX_LIFETIME", "TESSERA_CDS", "JAVA_OPTS",
            "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    /**
     * Runs {@code command} as a process with a scrubbed environment plus {@code env}, {@code stdin} on its
     * standard input (or /dev/null), and captures its output through files in {@code dir}.
     */
    static Result process(List<String> command, Map<String, String> env, String stdin, Path dir) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        SCRUBBED.forEach(builder.environment()::remove);
        builder.environment().putAll(env);
        Path out = dir.resolve("stdout-" + System.nanoTime());
        Path err = dir.resolve("stderr-" + System.nanoTime());
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process = builder.start();
        if (stdin != null) {
            try (java.io.OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The POSIX mode of a file as {@code rw-r--r--}. */
    static String mode(Path file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> readJson(Path file) {
        try {
            return Json.parseObject(read(file));
        } catch (ParseException e) {
            throw new AssertionError(file + " is not a JSON object", e);
        }
    }
}
