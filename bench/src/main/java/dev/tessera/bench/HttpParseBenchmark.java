package dev.tessera.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What Jetty's HTTP/1.1 parser costs the storage service per small GET, with and without a bearer token the
 * size of an ES256 SciToken ({@code tokenChars}), and with Jetty's per-connection header cache on or off
 * ({@code headerCache}, bytes; the servers run with it off). The parser handles a header value one byte at a
 * time, so its cost grows with the token: this is the fixed per-request price a token carries through Jetty,
 * measured apart from TLS, the handler and the network.
 *
 * <pre>java -jar bench/target/benchmarks.jar HttpParseBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HttpParseBenchmark {
    @Param({"0", "620"})
    int tokenChars;

    @Param({"0", "1024"})
    int headerCache;

    private HttpParser parser;
    private byte[] request;
    private ByteBuffer buffer;

    @Setup
    public void setUp() {
        String authorization = tokenChars == 0 ? "" : "Authorization: Bearer eyJ" + "x".repeat(tokenChars - 3) + "\r\n";
        request = ("GET /data/small/file.bin HTTP/1.1\r\nHost: localhost:8444\r\n" + authorization
                + "User-Agent: wrk\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        buffer = ByteBuffer.allocate(request.length);
        parser = new HttpParser(new HttpParser.RequestHandler() {
            @Override
            public void startRequest(String method, String uri, HttpVersion version) {
            }

            @Override
            public boolean content(ByteBuffer item) {
                return false;
            }

            @Override
            public boolean headerComplete() {
                return false;
            }

            @Override
            public boolean contentComplete() {
                return false;
            }

            @Override
            public boolean messageComplete() {
                return true;
            }

            @Override
            public void parsedHeader(HttpField field) {
            }

            @Override
            public void earlyEOF() {
            }
        }, 40 * 1024);
        parser.setHeaderCacheSize(headerCache);
    }

    /** One whole request, as the storage service's connections see them one after another. */
    @Benchmark
    public boolean parseRequest() {
        buffer.clear();
        buffer.put(request).flip();
        boolean complete = parser.parseNext(buffer);
        parser.reset();
        return complete;
    }
}
