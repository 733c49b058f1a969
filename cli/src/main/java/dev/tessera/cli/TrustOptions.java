package dev.tessera.cli;

import dev.tessera.web.TrustedIssuer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Whom a token-checking server trusts: {@code --trust}, {@code --audience}, {@code --ca-file}, added to its config file. */
final class TrustOptions {
    @Option(names = "--trust", paramLabel = "ISSUER_URL[=BASE_PATH]",
            description = "Trust tokens from this issuer, its scopes mapped under BASE_PATH (default /); repeatable.")
    List<String> trust = new ArrayList<>();

    @Option(names = "--audience", paramLabel = "A", description = "This service's audience (repeatable).")
    List<String> audiences = new ArrayList<>();

    @Mixin
    CaOptions ca;

    List<TrustedIssuer> issuers(List<TrustedIssuer> fromFile) {
        List<TrustedIssuer> issuers = new ArrayList<>(fromFile);
        trust.forEach(spec -> issuers.add(TrustedIssuer.parse(spec)));
        return issuers;
    }

    List<String> audiences(List<String> fromFile) {
        List<String> all = new ArrayList<>(fromFile);
        all.addAll(audiences);
        return all;
    }

    List<Path> caFiles(List<Path> fromFile) {
        List<Path> all = new ArrayList<>(fromFile);
        all.addAll(ca.paths());
        return all;
    }
}
