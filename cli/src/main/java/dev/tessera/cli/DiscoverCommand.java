package dev.tessera.cli;

import dev.tessera.token.bearer.BearerTokenDiscovery;
import dev.tessera.token.jws.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera discover}: where WLCG bearer-token discovery finds this process's token. */
@Command(name = "discover", mixinStandardHelpOptions = true,
        description = {
                "Show where a token-aware tool would find your bearer token, following WLCG Bearer Token",
                "Discovery: BEARER_TOKEN, BEARER_TOKEN_FILE, $XDG_RUNTIME_DIR/bt_u$UID, /tmp/bt_u$UID.",
                "Exit status 0 when a token is found, 1 when none is (or it is not a valid token)."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera discover",
                "  BEARER_TOKEN_FILE=/tmp/bt_u1000-cms tessera discover --json"})
final class DiscoverCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        BearerTokenDiscovery discovery = BearerTokenDiscovery.fromEnvironment();
        BearerTokenDiscovery.Result result = discovery.discover();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("found", result.found());
            data.put("source", result.source());
            data.put("error", result.error());
            List<Object> steps = new ArrayList<>();
            for (BearerTokenDiscovery.Step step : result.steps()) {
                steps.add(Map.of("source", step.source(), "outcome", step.outcome()));
            }
            data.put("steps", steps);
            data.put("default_file", discovery.defaultTokenFile().toString());
            out.println(Json.write(data));
        } else {
            for (BearerTokenDiscovery.Step step : result.steps()) {
                out.printf("  %-50s %s%n", step.source(), step.outcome());
            }
            out.println(result.found() ? "Token found in " + result.source()
                    : "No token: " + result.error() + ". Tools that write one use " + discovery.defaultTokenFile());
        }
        return result.found() ? 0 : Tessera.INVALID;
    }
}
