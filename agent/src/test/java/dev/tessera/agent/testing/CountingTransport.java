package dev.tessera.agent.testing;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import dev.tessera.agent.oauth.Transport;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/** The real HTTPS transport, with every request's path recorded and token answers optionally rewritten. */
public final class CountingTransport implements Transport {
    private final Transport real;
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private volatile UnaryOperator<HTTPResponse> tokenAnswers = UnaryOperator.identity();

    public CountingTransport(Transport real) {
        this.real = real;
    }

    @Override
    public HTTPResponse send(HTTPRequest request) throws IOException {
        String path = request.getURI().getPath();
        paths.add(path);
        HTTPResponse response = real.send(request);
        return path.endsWith("/token") ? tokenAnswers.apply(response) : response;
    }

    /** Every request sent so far (its path). */
    public List<String> requests() {
        return List.copyOf(paths);
    }

    /** How many requests went to a path ending in {@code suffix}. */
    public long count(String suffix) {
        return paths.stream().filter(p -> p.endsWith(suffix)).count();
    }

    public void reset() {
        paths.clear();
    }

    /** Plays a misbehaving issuer: token endpoint answers pass through {@code rewrite}. */
    public void rewriteTokenAnswers(UnaryOperator<HTTPResponse> rewrite) {
        tokenAnswers = rewrite;
    }
}
