package dev.tessera.web;

import dev.tessera.token.VerifiedToken;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;

/**
 * Maps a token's subject or group to a local name, like XRootD's SciTokens mapfile: a JSON list of
 * rules, the first that matches wins.
 *
 * <pre>[{"sub": "5b2c...", "result": "alice"}, {"group": "/cms/uscms", "result": "uscms"}]</pre>
 *
 * The local name is used in the access log and as the owner recorded on files a caller creates; it
 * grants nothing (access comes from scopes only).
 */
public final class Mapfile {
    /** One rule: {@code sub} and/or {@code group} must match; {@code result} is the local name. */
    public record Rule(String sub, String group, String result) {
    }

    private final List<Rule> rules;

    private Mapfile(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static Mapfile of(List<Rule> rules) {
        return new Mapfile(rules);
    }

    /** Reads a mapfile; throws {@link IllegalArgumentException} naming the file and the problem. */
    public static Mapfile read(Path file) {
        try {
            List<Rule> rules = ConfigFiles.json().readValue(file.toFile(), new TypeReference<List<Rule>>() { });
            for (Rule rule : rules) {
                if (rule.result() == null || rule.sub() == null && rule.group() == null) {
                    throw new IllegalArgumentException("mapfile " + file + ": every rule needs result and sub or group");
                }
            }
            return new Mapfile(rules);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("mapfile " + file + ": " + e.getOriginalMessage(), e);
        }
    }

    /** The local name for a token, or {@code null} when no rule matches. */
    public String localName(VerifiedToken token) {
        for (Rule rule : rules) {
            boolean sub = rule.sub() == null || rule.sub().equals(token.subject());
            boolean group = rule.group() == null || token.groups().contains(rule.group());
            if (sub && group) {
                return rule.result();
            }
        }
        return null;
    }
}
