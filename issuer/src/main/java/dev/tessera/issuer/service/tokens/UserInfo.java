package dev.tessera.issuer.service.tokens;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.store.AccountStore;
import java.util.Map;
import java.util.Set;

/**
 * OpenID Connect's UserInfo (Core §5.3): the claims about the person a live access token of this VO was
 * issued for. Access tokens here carry capabilities, not the protocol scopes of their grant, so any
 * person's token is answered, with the claims an ID token with {@code profile} would carry; robots' tokens
 * are refused.
 */
public final class UserInfo {
    private final TokenStatus status;
    private final AccountStore accounts;

    public UserInfo(TokenStatus status, AccountStore accounts) {
        this.status = status;
        this.accounts = accounts;
    }

    /**
     * The claims for a bearer token.
     *
     * @param token the token, or {@code null} when the request had none
     * @throws OAuthException 401 without an error code when there is no token; 401 {@code invalid_token};
     *                        403 {@code insufficient_scope} for a token that is not a person's
     */
    public Map<String, Object> claims(VoContext vo, String token) throws OAuthException {
        if (token == null) {
            throw new OAuthException(null, null, 401);
        }
        OwnTokens.Parent parent = status.active(vo, token)
                .orElseThrow(() -> new OAuthException("invalid_token", "not a live access token of this issuer", 401));
        Account account = (parent.subject() == null ? null
                : accounts.findBySubject(vo.vo().name(), parent.subject()).orElse(null));
        if (account == null) {
            throw new OAuthException("insufficient_scope", "this token was not issued for a person", 403);
        }
        return IdTokens.userClaims(vo, account.subject(), account, parent.groups(), Set.of("profile"));
    }
}
