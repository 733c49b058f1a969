package dev.tessera.issuer.service.device;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.DeviceGrant;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import dev.tessera.issuer.service.Secrets;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.VoContext.RegisteredClient;
import dev.tessera.issuer.service.policy.RequestedScope;
import dev.tessera.issuer.service.tokens.Audiences;
import dev.tessera.issuer.service.tokens.Lifetimes;
import dev.tessera.issuer.store.DeviceGrantStore;
import dev.tessera.token.scope.InvalidScopeException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The device authorization grant (RFC 8628): a device asks for a code, a person approves it on the
 * pages, the device polls the token endpoint. User codes are 8 letters from an alphabet without vowels
 * (no words) or look-alikes (§6.1), about 34 bits, valid for minutes, so guessing one is hopeless; the
 * pages also throttle sign-ins.
 */
public final class DeviceFlow {
    /** RFC 8628 §3.5: the default polling interval. */
    public static final int INTERVAL_SECONDS = 5;
    private static final String ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DeviceGrantStore store;
    private final Clock clock;

    /** What the device shows and keeps (RFC 8628 §3.2). */
    public record Authorization(String deviceCode, String userCode, String verificationUri,
                                String verificationUriComplete, long expiresIn, int interval) {
    }

    public DeviceFlow(DeviceGrantStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Starts a device authorization for {@code client}.
     *
     * @throws OAuthException {@code unauthorized_client}, {@code invalid_scope} or {@code invalid_target}
     */
    public Authorization start(VoContext vo, RegisteredClient client, Parameters params) throws OAuthException {
        if (!client.client().mayUse(Client.DEVICE_CODE)) {
            throw OAuthException.unauthorizedClient("client " + client.client().clientId() + " may not use the device flow");
        }
        String scope = params.get("scope") == null ? "" : params.get("scope").strip();
        RequestedScope requested;
        try {
            requested = RequestedScope.parse(scope);
        } catch (InvalidScopeException e) {
            throw OAuthException.invalidScope(e.getMessage());
        }
        List<String> audience = Audiences.resolve(vo.vo(), client.client(), params.all("audience"), params.all("resource"),
                requested.audiences());
        long now = clock.instant().getEpochSecond();
        long expiresIn = Lifetimes.deviceCode(vo.vo(), client.client()).toSeconds();
        String deviceCode = Secrets.newSecret();
        String userCode;
        do {
            userCode = newUserCode();
        } while (!store.insert(new DeviceGrant(Secrets.hash(deviceCode), userCode, vo.vo().name(),
                client.client().clientId(), scope, String.join(" ", audience), now, now + expiresIn, INTERVAL_SECONDS,
                null, DeviceGrant.Status.PENDING, null, null)));
        String page = vo.vo().issuer() + "/device";
        String shown = DeviceGrant.display(userCode);
        return new Authorization(deviceCode, shown, page, page + "?user_code=" + shown, expiresIn, INTERVAL_SECONDS);
    }

    /** The pending or decided grant of a user code as a person typed it (any case, with or without the dash). */
    public Optional<DeviceGrant> find(VoContext vo, String typed) {
        String code = normalize(typed);
        if (code == null) {
            return Optional.empty();
        }
        return store.findByUserCode(code).filter(g -> g.vo().equals(vo.vo().name()));
    }

    /** Records a person's decision on a pending grant; false when it is no longer pending or has expired. */
    public boolean decide(DeviceGrant grant, boolean approve, String username, String grantedScope) {
        return store.decide(grant.userCode(), approve ? DeviceGrant.Status.APPROVED : DeviceGrant.Status.DENIED,
                username, approve ? grantedScope : null, clock.instant().getEpochSecond());
    }

    /**
     * The token endpoint's side (RFC 8628 §3.4–3.5): the approved grant, marked redeemed so it gives tokens
     * once; otherwise the error the device must act on.
     *
     * @throws OAuthException {@code authorization_pending}, {@code slow_down}, {@code access_denied},
     *                        {@code expired_token} or {@code invalid_grant}
     */
    public DeviceGrant redeem(VoContext vo, RegisteredClient client, String deviceCode) throws OAuthException {
        String hash = Secrets.hash(deviceCode);
        DeviceGrant grant = store.findByDeviceCode(hash)
                .filter(g -> g.vo().equals(vo.vo().name()) && g.clientId().equals(client.client().clientId()))
                .orElseThrow(() -> OAuthException.invalidGrant("unknown device_code"));
        long now = clock.instant().getEpochSecond();
        if (grant.status() == DeviceGrant.Status.REDEEMED) {
            throw OAuthException.invalidGrant("this device_code has been used");
        }
        if (grant.expiresAt() <= now) {
            throw new OAuthException("expired_token", "the device_code has expired: start again", 400);
        }
        if (grant.status() == DeviceGrant.Status.DENIED) {
            throw new OAuthException("access_denied", "the request was denied", 400);
        }
        if (grant.status() == DeviceGrant.Status.PENDING) {
            if (!store.poll(hash, now)) {
                throw new OAuthException("slow_down", "polling too fast: wait " + (grant.pollInterval() + 5) + " s", 400);
            }
            throw new OAuthException("authorization_pending", "waiting for approval", 400);
        }
        if (!store.redeem(hash)) {
            throw OAuthException.invalidGrant("this device_code has been used");
        }
        return grant;
    }

    private static String newUserCode() {
        StringBuilder code = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /** Upper case, without dashes and spaces; {@code null} unless 8 letters of the alphabet remain. */
    static String normalize(String typed) {
        if (typed == null) {
            return null;
        }
        String code = typed.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
        if (code.length() != 8) {
            return null;
        }
        for (int i = 0; i < code.length(); i++) {
            if (ALPHABET.indexOf(code.charAt(i)) < 0) {
                return null;
            }
        }
        return code;
    }
}
