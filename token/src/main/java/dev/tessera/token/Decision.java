package dev.tessera.token;

/**
 * The answer of {@link Enforcer#test}: allowed, with the scope that grants the request, or denied,
 * with the reason.
 *
 * @param allowed whether the request is allowed
 * @param reason why it is denied ({@code null} when allowed)
 * @param message a short human explanation
 * @param grantedBy the scope that grants the request ({@code null} when denied)
 * @param token the verified token ({@code null} when the token itself was refused)
 */
public record Decision(boolean allowed, Reason reason, String message, String grantedBy, VerifiedToken token) {

    static Decision allow(VerifiedToken token, String grantedBy, String message) {
        return new Decision(true, null, message, grantedBy, token);
    }

    static Decision deny(VerifiedToken token, Reason reason, String message) {
        return new Decision(false, reason, SafeText.bound(message), null, token);
    }
}
