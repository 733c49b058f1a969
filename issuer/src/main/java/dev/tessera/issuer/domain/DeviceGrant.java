package dev.tessera.issuer.domain;

/**
 * A device authorization (RFC 8628) waiting for, or given, a person's approval.
 *
 * @param userCode     the code the person types, normalized (8 letters, no dash)
 * @param scope        the scope as requested
 * @param audience     the resolved audiences, space-separated
 * @param username     who approved or denied ({@code null} while pending)
 * @param grantedScope what they approved ({@code null} unless approved)
 */
public record DeviceGrant(String deviceCodeHash, String userCode, String vo, String clientId, String scope,
                          String audience, long createdAt, long expiresAt, int pollInterval, Long lastPolledAt,
                          Status status, String username, String grantedScope) {

    /** Where a device authorization stands. */
    public enum Status {
        PENDING, APPROVED, DENIED, REDEEMED
    }

    /** The user code as people read it: {@code BCDF-GHJK}. */
    public String displayUserCode() {
        return display(userCode);
    }

    /** {@code BCDFGHJK} as {@code BCDF-GHJK}. */
    public static String display(String userCode) {
        return userCode.substring(0, 4) + "-" + userCode.substring(4);
    }
}
