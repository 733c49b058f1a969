package dev.tessera.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.VerifierSettings;
import dev.tessera.token.files.PrivateFiles;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.Pem;
import dev.tessera.token.keys.SigningKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tessera keygen}: a signing key, its JWKS, and optionally a simple issuer ready to publish. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {
                "Create a signing key: the private key (PEM, mode 0600) and the public JWKS.",
                "With --issuer, also a directory to publish on any static https web server, making a",
                "\"simple issuer\": .well-known/openid-configuration and jwks.json. With --add, add a key to",
                "an existing JWKS for rotation (old keys stay published)."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera keygen --alg ES256 --out ./keys --issuer https://tokens.example.org/ligo",
                "      then publish ./keys/public/ at https://tokens.example.org/ligo/",
                "  tessera keygen --add --alg ES256 --out ./keys      # rotation: publish, wait, then sign with it"})
final class KeygenCommand implements Callable<Integer> {
    private static final String OIDC = ".well-known/openid-configuration";

    @Spec
    CommandSpec spec;

    @Option(names = "--alg", paramLabel = "ES256|RS256", defaultValue = "ES256",
            description = "Signature algorithm (default: ${DEFAULT-VALUE}).")
    Algorithm algorithm;

    @Option(names = "--kid", paramLabel = "ID", description = "Key id (default: <alg>-<8 characters of the JWK thumbprint>).")
    String kid;

    @Option(names = "--bits", defaultValue = "2048", description = "RSA key size (default: ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the key files.")
    Path out;

    @Option(names = "--issuer", paramLabel = "URL",
            description = "Issuer URL: also write DIR/public/ with discovery metadata and the JWKS to publish there.")
    String issuer;

    @Option(names = "--add", description = "Add the new key to DIR/jwks.json instead of starting a new one.")
    boolean add;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (algorithm == Algorithm.RS256 && bits < 2048) {
            throw new UsageError("RSA keys must have at least 2048 bits");
        }
        SigningKey key;
        try {
            if (issuer != null) {
                VerifierSettings.requireHttps(issuer);
            }
            SigningKey generated = SigningKey.generate(algorithm, kid, bits);
            key = kid != null ? generated : SigningKey.of(defaultKid(generated), algorithm,
                    new java.security.KeyPair(generated.publicKey(), generated.privateKey()));
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }

        Path jwksFile = out.resolve("jwks.json");
        List<JWK> keys = new ArrayList<>();
        if (add) {
            keys.addAll(existingKeys(jwksFile));
            if (keys.stream().anyMatch(k -> key.keyId().equals(k.getKeyID()))) {
                throw new UsageError("key id " + key.keyId() + " is already in " + jwksFile);
            }
        } else if (Files.exists(jwksFile) && !force) {
            throw new UsageError(jwksFile + " exists: use --add to add a key for rotation, or --force to start over");
        }
        keys.add(key.toPublicJwk());
        Path keyFile = out.resolve(key.keyId() + ".pem");
        if (Files.exists(keyFile) && !force) {
            throw new UsageError(keyFile + " exists: refusing to overwrite a private key (use --force)");
        }
        String publishedIssuer = issuer != null ? issuer : existingIssuer();

        Files.createDirectories(out);
        PrivateFiles.writeAtomically(keyFile, Pem.write(key.privateKey()).getBytes(StandardCharsets.US_ASCII));
        String jwks = new JWKSet(keys).toString(true);
        publish(jwksFile, jwks);
        Path publicDir = null;
        if (publishedIssuer != null) {
            publicDir = out.resolve("public");
            Map<String, Object> metadata = new LinkedHashMap<>();
            String base = publishedIssuer.endsWith("/") ? publishedIssuer.substring(0, publishedIssuer.length() - 1)
                    : publishedIssuer;
            metadata.put("issuer", publishedIssuer);
            metadata.put("jwks_uri", base + "/jwks.json");
            metadata.put("id_token_signing_alg_values_supported", List.of("ES256", "RS256"));
            publish(publicDir.resolve(OIDC), JsonText.pretty(metadata) + "\n");
            publish(publicDir.resolve("jwks.json"), jwks);
        }
        report(key, keyFile, jwksFile, keys.size(), publicDir, publishedIssuer);
        return 0;
    }

    private static String defaultKid(SigningKey key) {
        try {
            String thumbprint = key.toPublicJwk().computeThumbprint().toString();
            return key.algorithm().name().toLowerCase(java.util.Locale.ROOT) + "-" + thumbprint.substring(0, 8);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JWK> existingKeys(Path jwksFile) {
        if (!Files.exists(jwksFile)) {
            throw new UsageError("--add needs an existing " + jwksFile + " (run without --add first)");
        }
        try {
            return JWKSet.parse(Files.readString(jwksFile)).getKeys();
        } catch (IOException | ParseException e) {
            throw new UsageError("cannot read " + jwksFile + ": " + e.getMessage(), e);
        }
    }

    /** With --add and no --issuer, keep publishing for the issuer the existing metadata names. */
    private String existingIssuer() {
        Path metadata = out.resolve("public").resolve(OIDC);
        if (!add || !Files.exists(metadata)) {
            return null;
        }
        try {
            return Json.parseObject(Files.readString(metadata)).get("issuer") instanceof String s ? s : null;
        } catch (IOException | ParseException e) {
            throw new UsageError("cannot read " + metadata + ": " + e.getMessage(), e);
        }
    }

    private static void publish(Path file, String content) throws IOException {
        PrivateFiles.writeAtomically(file, content.getBytes(StandardCharsets.UTF_8), PrivateFiles.WORLD_READABLE);
    }

    private void report(SigningKey key, Path keyFile, Path jwksFile, int count, Path publicDir, String issuerUrl) {
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("kid", key.keyId());
            result.put("algorithm", key.algorithm().name());
            result.put("private_key", keyFile.toString());
            result.put("jwks", jwksFile.toString());
            result.put("keys", count);
            if (publicDir != null) {
                result.put("issuer", issuerUrl);
                result.put("publish_dir", publicDir.toString());
            }
            w.println(Json.write(result));
            return;
        }
        w.printf("Created %s key %s%n", key.algorithm(), key.keyId());
        w.printf("  private key  %s  (mode 0600: keep it secret, never publish it)%n", keyFile);
        w.printf("  public keys  %s  (%d key%s)%n", jwksFile, count, count == 1 ? "" : "s");
        if (publicDir != null) {
            w.printf("  publish      %s/  at %s/  (.well-known/openid-configuration, jwks.json)%n", publicDir,
                    issuerUrl.replaceAll("/$", ""));
        }
        if (count > 1) {
            w.println("Rotation: publish the new JWKS first; sign with the new key once verifiers' caches have it.");
        }
        w.printf("Next: tessera create --key %s --issuer %s --sub alice --scope read:/data --aud https://storage.example.org%n",
                keyFile, issuerUrl != null ? issuerUrl : "https://your-issuer.example.org");
    }
}
