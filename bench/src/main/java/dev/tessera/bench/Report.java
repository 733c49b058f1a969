package dev.tessera.bench;

import com.nimbusds.jose.util.JSONArrayUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one {@code bench/verify.sh} run into a table, the ratios the targets are stated in, and one
 * {@code RESULT <name> <ops_per_s>} line per measurement for machines to read.
 *
 * <p>{@code Report DIR}: reads {@code DIR/jmh.json} (JMH's JSON result) and {@code DIR/cpp-es256.txt},
 * {@code DIR/cpp-rs256.txt} (the scitokens-cpp driver's output, when it ran).
 */
public final class Report {
    private static final Map<String, String> NAMES = Map.of(
            "tesseraEs256Fresh", "tessera.es256.fresh",
            "tesseraRs256Fresh", "tessera.rs256.fresh",
            "tesseraRepeated", "tessera.repeated",
            "rawEs256", "raw.es256",
            "rawRs256", "raw.rs256");
    private static final Pattern CPP = Pattern.compile("([0-9.]+) ops/s");

    private Report() {
    }

    public static void main(String[] args) throws IOException, ParseException {
        Path dir = Path.of(args[0]);
        Map<String, double[]> results = new LinkedHashMap<>(); // name -> {ops/s, error}
        for (Object entry : JSONArrayUtils.parse(Files.readString(dir.resolve("jmh.json")))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> run = (Map<String, Object>) entry;
            String method = ((String) run.get("benchmark")).replaceAll(".*\\.", "");
            @SuppressWarnings("unchecked")
            Map<String, Object> metric = (Map<String, Object>) run.get("primaryMetric");
            double error = metric.get("scoreError") instanceof Number n && !Double.isNaN(n.doubleValue()) ? n.doubleValue() : 0;
            results.put(NAMES.getOrDefault(method, method), new double[] {((Number) metric.get("score")).doubleValue(), error});
        }
        for (String alg : List.of("es256", "rs256")) {
            Path file = dir.resolve("cpp-" + alg + ".txt");
            if (Files.exists(file)) {
                Matcher m = CPP.matcher(Files.readString(file));
                if (m.find()) {
                    results.put("scitokens-cpp." + alg, new double[] {Double.parseDouble(m.group(1)), 0});
                }
            }
        }

        System.out.println();
        System.out.printf("%-24s %14s %12s%n", "measurement (1 thread)", "ops/s", "± (99.9%)");
        results.forEach((name, r) -> System.out.printf(Locale.ROOT, "%-24s %,14.0f %,12.0f%n", name, r[0], r[1]));
        System.out.println();
        ratio(results, "tessera.es256.fresh", "raw.es256", 0.8);
        ratio(results, "tessera.es256.fresh", "scitokens-cpp.es256", 5);
        ratio(results, "tessera.rs256.fresh", "raw.rs256", 0.7);
        ratio(results, "tessera.rs256.fresh", "scitokens-cpp.rs256", 10);
        if (results.containsKey("tessera.repeated")) {
            double repeated = results.get("tessera.repeated")[0];
            System.out.printf(Locale.ROOT, "%-46s %,12.0f/s  (target >= 1,000,000/s: %s)%n", "tessera.repeated",
                    repeated, repeated >= 1_000_000 ? "met" : "NOT met");
        }
        System.out.println();
        results.forEach((name, r) -> System.out.printf(Locale.ROOT, "RESULT %s %.0f%n", name, r[0]));
    }

    private static void ratio(Map<String, double[]> results, String ours, String theirs, double target) {
        if (!results.containsKey(ours) || !results.containsKey(theirs)) {
            System.out.printf("%-46s n/a (%s not measured)%n", ours + " / " + theirs, theirs);
            return;
        }
        double ratio = results.get(ours)[0] / results.get(theirs)[0];
        System.out.printf(Locale.ROOT, "%-46s %8.2fx    (target >= %sx: %s)%n", ours + " / " + theirs, ratio,
                target, ratio >= target ? "met" : "NOT met");
    }
}
