package dev.tessera.issuer.domain;

import java.util.Locale;

/**
 * One policy rule: members of a group (or one user, or one client) may, or may not, obtain the
 * capabilities of a scope template such as {@code read:/ligo write:/home/{username}}.
 */
public record PolicyRule(String id, String vo, Kind kind, String subject, String scopeTemplate, Effect effect) {

    /** Whom a rule is about. */
    public enum Kind {
        GROUP, USER, CLIENT;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    /** What a rule does. */
    public enum Effect {
        GRANT, DENY;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Effect parse(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    /** How a rule reads in an explanation: {@code group /ligo grants read:/ligo}. */
    public String describe() {
        return kind.id() + " " + subject + (effect == Effect.GRANT ? " grants " : " denies ") + scopeTemplate;
    }
}
