package dev.tessera.agent.testing;

import dev.tessera.agent.oauth.ClientCredentials;
import dev.tessera.agent.oauth.DeviceAuthorization;
import dev.tessera.agent.oauth.DevicePoller;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.oauth.Narrowing;
import java.util.List;

/** Refresh tokens as a person gets them: a device flow alice approves on the VO's pages. */
public final class Logins {
    private Logins() {
    }

    /** A refresh token of alice's for the VO's command-line client, granting {@code scope}. */
    public static String refreshToken(TestVo vo, String scope) throws Exception {
        return refreshToken(vo, vo.clientId(), scope);
    }

    /** A refresh token of alice's for the public client {@code clientId}, granting {@code scope}. */
    public static String refreshToken(TestVo vo, String clientId, String scope) throws Exception {
        IssuerClient client = IssuerClient.discover(vo.iss(), ClientCredentials.publicClient(clientId), vo.transport(),
                vo.clock());
        DeviceAuthorization started = client.startDeviceAuthorization(new Narrowing(scope + " offline_access", List.of(),
                null));
        Approver approver = vo.approver();
        approver.show(vo.iss(), started);
        return new DevicePoller(vo.clock(), approver).await(client, started).refreshToken();
    }
}
