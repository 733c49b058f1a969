package dev.tessera.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.Signature;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** DER ECDSA signatures (OpenSSL's and the JDK's form) to the JWS form R || S, and back. */
class P256Test {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void derBecomesRAndSRightAligned() {
        // r with a leading 0x00 (high bit set), s two bytes short of 32
        String r = "00" + "80" + "11".repeat(31);
        String s = "22".repeat(30);
        byte[] der = HEX.parseHex("3043" + "0221" + r + "021e" + s);
        byte[] jws = P256.concatenated(der);
        assertThat(HEX.formatHex(jws)).isEqualTo("80" + "11".repeat(31) + "0000" + s);
    }

    @Test
    void matchesTheJdksConversion() throws Exception {
        SigningKey key = SigningKey.generate(Algorithm.ES256, "k");
        for (int i = 0; i < 50; i++) {
            byte[] data = ("m" + i).getBytes();
            Signature der = Signature.getInstance("SHA256withECDSA");
            der.initSign(key.privateKey());
            der.update(data);
            byte[] jws = P256.concatenated(der.sign());
            assertThat(key.verificationKey().verify(data, data.length, jws)).isTrue();
        }
    }

    @Test
    void malformedDerIsRefused() {
        for (String bad : new String[] {"", "3000", "3006020101020101ff", "300602010102010", "3045" + "0221" + "01".repeat(33)
                + "021e" + "22".repeat(30), "3008020301000002010100", "3026" + "0222" + "00".repeat(34) + "020101"}) {
            assertThatThrownBy(() -> P256.concatenated(bad.length() % 2 == 0 ? HEX.parseHex(bad) : new byte[3]))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(new BigInteger(1, P256.concatenated(HEX.parseHex("3006020101020102")))).isNotNull();
    }

    @Test
    void rAndSBecomeTheShortestDer() {
        String r = "80" + "11".repeat(31); // high bit set: a 0x00 keeps it positive
        String s = "0000" + "22".repeat(30); // leading zeros dropped
        assertThat(HEX.formatHex(P256.der(HEX.parseHex(r + s)))).isEqualTo("3043" + "0221" + "00" + r + "021e" + "22".repeat(30));
        // zero stays one byte (and then fails verification, as r and s must be in [1, n-1])
        assertThat(HEX.formatHex(P256.der(new byte[64]))).isEqualTo("3006" + "020100" + "020100");
    }

    @Test
    void derRoundTripsAndMatchesTheJdksEncoding() throws Exception {
        SigningKey key = SigningKey.generate(Algorithm.ES256, "k");
        for (int i = 0; i < 50; i++) {
            Signature jdk = Signature.getInstance("SHA256withECDSA");
            jdk.initSign(key.privateKey());
            jdk.update(("m" + i).getBytes());
            byte[] der = jdk.sign();
            assertThat(P256.der(P256.concatenated(der))).isEqualTo(der);
        }
        assertThatThrownBy(() -> P256.der(new byte[63])).isInstanceOf(IllegalArgumentException.class);
    }
}
