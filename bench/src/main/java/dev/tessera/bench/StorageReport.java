package dev.tessera.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns one {@code bench/storage.sh} run into a side-by-side table (median of the runs, every run in
 * brackets), the ratios the targets are stated in, and {@code RESULT storage.<server>.<metric> <value>}
 * lines.
 *
 * <p>{@code StorageReport FILE [SIZE_MIB]}: reads lines {@code <server> <metric> <value>} (one per measured
 * run), servers {@code tessera} and {@code xrootd}; {@code SIZE_MIB} labels the large-file rows (default 1024).
 */
public final class StorageReport {
    /** metric, description, target ratio Tessera/XRootD (0 = none; for latencies lower is better). */
    private static final Object[][] METRICS = {
            {"get_repeated_rps", "small GET, same token, req/s", 1.0},
            {"get_repeated_p99_ms", "small GET, same token, p99 ms", 0.0},
            {"get_fresh_rps", "small GET, fresh ES256 token each, req/s", 4.0},
            {"get_fresh_p99_ms", "small GET, fresh token each, p99 ms", 0.0},
            {"get_1g_mbps", "SIZE GET, HTTP/1.1, MB/s", 0.9},
            {"put_1g_mbps", "SIZE PUT, HTTP/1.1, MB/s", 0.9},
            {"get_1g_h2_mbps", "SIZE GET, HTTP/2, MB/s", 0.0},
            {"put_1g_h2_mbps", "SIZE PUT, HTTP/2, MB/s", 0.0},
    };

    private StorageReport() {
    }

    public static void main(String[] args) throws IOException {
        int sizeMib = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        String size = sizeMib % 1024 == 0 ? sizeMib / 1024 + " GiB" : sizeMib + " MiB";
        Map<String, List<Double>> values = new LinkedHashMap<>(); // "server metric" -> runs
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 3) {
                values.computeIfAbsent(parts[0] + " " + parts[1], k -> new ArrayList<>()).add(Double.parseDouble(parts[2]));
            }
        }
        System.out.println();
        System.out.printf("%-42s %-26s %-26s %s%n", "measurement (median of runs)", "Tessera", "XRootD 5.5.3", "Tessera/XRootD (target)");
        List<String> results = new ArrayList<>();
        for (Object[] metric : METRICS) {
            String name = (String) metric[0];
            List<Double> ours = values.get("tessera " + name);
            List<Double> theirs = values.get("xrootd " + name);
            if (ours == null && theirs == null) {
                continue;
            }
            double target = (Double) metric[2];
            String ratio = "";
            if (ours != null && theirs != null) {
                double r = median(ours) / median(theirs);
                ratio = String.format(Locale.ROOT, "%.2fx", r);
                if (target > 0) {
                    ratio += String.format(Locale.ROOT, " (>= %.1fx: %s)", target, r >= target ? "met" : "NOT met");
                }
            }
            System.out.printf("%-42s %-26s %-26s %s%n", ((String) metric[1]).replace("SIZE", size), cell(ours),
                    cell(theirs), ratio);
            if (ours != null) {
                results.add(String.format(Locale.ROOT, "RESULT storage.tessera.%s %s", name, number(median(ours))));
            }
            if (theirs != null) {
                results.add(String.format(Locale.ROOT, "RESULT storage.xrootd.%s %s", name, number(median(theirs))));
            }
        }
        System.out.println();
        results.forEach(System.out::println);
    }

    private static String cell(List<Double> runs) {
        if (runs == null) {
            return "-";
        }
        String all = runs.stream().map(StorageReport::number).collect(Collectors.joining(", "));
        return number(median(runs)) + (runs.size() > 1 ? " [" + all + "]" : "");
    }

    private static String number(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static double median(List<Double> runs) {
        List<Double> sorted = new ArrayList<>(runs);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
