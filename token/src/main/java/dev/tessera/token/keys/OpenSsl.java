package dev.tessera.token.keys;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.Cleaner;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Token signatures by the system's OpenSSL 3 {@code libcrypto}: RS256 and ES256 signing each about four times as
 * fast as the JDK's RSA and BouncyCastle's ECDSA, and verification faster too.
 *
 * <p>Why: signing is most of an issuer's CPU per token. Here the JDK does about 1,000 RSA-2048 signatures per
 * second per core and BouncyCastle about 12,000 P-256 ones; OpenSSL 3 does about 4,100 and 51,000
 * ({@code openssl speed rsa2048 ecdsap256}: its AVX-512 IFMA and P-256 assembly). RSASSA-PKCS1-v1_5 is
 * deterministic, so OpenSSL's RS256 signatures are the JDK's byte for byte. ECDSA nonces differ: BouncyCastle's
 * are RFC 6979's, OpenSSL's mix the private key and the digest with random bytes; neither leaks the key to a
 * weak random number generator.
 *
 * <p>How: the Foreign Function &amp; Memory API, final in Java 22. The library is built for Java 17, so the API
 * is reached by reflection once, when this class loads; each signature then costs two direct-buffer copies
 * and one downcall. Used only when all of these hold, otherwise {@link SigningKey} and {@link VerificationKey}
 * work in Java:
 * Java 22 or newer; native access enabled for this code ({@code --enable-native-access=ALL-UNNAMED}, which the
 * launcher sets for the servers: without it Java would print a warning); {@code libcrypto.so.3} loadable;
 * the system property {@code tessera.openssl} not {@code off}.
 *
 * <p>A private key goes to OpenSSL once, as PKCS#8 DER in native memory that is zeroed right after decoding; a
 * public key as its X.509 SubjectPublicKeyInfo. Each key keeps a pool of contexts ({@code EVP_PKEY_CTX} is not
 * thread-safe, the key is), freed with the key when it becomes unreachable.
 */
final class OpenSsl {
    private static final int RSA_PKCS1_PADDING = 1;

    /** Why OpenSSL is not used, or {@code null} when it is. */
    private static String notUsed;

    /** The bound library, or {@code null} when OpenSSL is not used (see the class comment). */
    private static final Functions LIBCRYPTO = Functions.bind();

    private OpenSsl() {}

    /** Whether keys sign through OpenSSL in this JVM. */
    static boolean available() {
        return LIBCRYPTO != null;
    }

    /** Who signs and verifies here, for a server's start-up log: OpenSSL's version, or why it is not used. */
    static String library() {
        return LIBCRYPTO != null ? LIBCRYPTO.version
                : "BouncyCastle (ES256) and the JDK (RS256); OpenSSL not used: " + notUsed;
    }

    /**
     * A native copy of {@code key} (RSA with its CRT parameters, or P-256), or {@code null} when OpenSSL is not
     * used or refuses the key.
     */
    static Key load(Algorithm algorithm, PrivateKey key) {
        if (LIBCRYPTO == null || algorithm == Algorithm.RS256 && !(key instanceof RSAPrivateCrtKey)) {
            return null;
        }
        try {
            return LIBCRYPTO.load(algorithm, key);
        } catch (Throwable e) {
            return null; // Java signs instead: the same signatures, only slower
        }
    }

    /** A native copy of public {@code key} for verification, or {@code null} when OpenSSL is not used or refuses it. */
    static Key loadPublic(Algorithm algorithm, PublicKey key) {
        if (LIBCRYPTO == null) {
            return null;
        }
        try {
            return LIBCRYPTO.loadPublic(algorithm, key);
        } catch (Throwable e) {
            return null; // Java verifies instead
        }
    }

    /** A private key (for signing) or a public key (for verifying) inside OpenSSL. */
    static final class Key {
        private static final Cleaner CLEANER = Cleaner.create(); // its thread starts with the first native key

        private final Functions lib;
        private final Algorithm algorithm;
        private final boolean signs;
        private final Object pkey;
        private final int signatureLength;
        private final ConcurrentLinkedQueue<Context> idle;

        private Key(Functions lib, Algorithm algorithm, boolean signs, Object pkey, int signatureLength) {
            this.lib = lib;
            this.algorithm = algorithm;
            this.signs = signs;
            this.pkey = pkey;
            this.signatureLength = signatureLength;
            this.idle = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Context> contexts = idle;
            CLEANER.register(this, () -> lib.free(pkey, contexts)); // the action must not hold the Key itself
        }

        /**
         * The JWS signature of a SHA-256 {@code digest} (RSASSA-PKCS1-v1_5, or ECDSA as the 64 bytes R || S), or
         * {@code null} when OpenSSL fails (the caller then signs in Java).
         */
        byte[] sign(byte[] digest) {
            Context context = idle.poll();
            try {
                if (context == null) {
                    context = lib.newContext(algorithm, true, pkey, signatureLength);
                }
                byte[] signature = lib.sign(context, digest);
                idle.offer(context);
                return algorithm == Algorithm.ES256 ? P256.concatenated(signature) : signature;
            } catch (Throwable e) {
                if (context != null) {
                    lib.freeContext(context); // in an unknown state: not reused
                }
                return null;
            }
        }

        /**
         * Whether {@code signature} (the JWS form: RSASSA-PKCS1-v1_5, or ECDSA as the 64 bytes R || S) signs the
         * SHA-256 {@code digest}: 1 when it does, 0 when it does not, -1 when OpenSSL fails (the caller then
         * verifies in Java).
         */
        int verify(byte[] digest, byte[] signature) {
            if (signs) {
                throw new IllegalStateException("a signing key");
            }
            byte[] encoded = algorithm == Algorithm.ES256 ? P256.der(signature) : signature;
            if (encoded.length > signatureLength) {
                return 0; // longer than any signature of this key
            }
            Context context = idle.poll();
            try {
                if (context == null) {
                    context = lib.newContext(algorithm, false, pkey, signatureLength);
                }
                int result = lib.verify(context, digest, encoded);
                idle.offer(context);
                return result;
            } catch (Throwable e) {
                if (context != null) {
                    lib.freeContext(context);
                }
                return -1;
            }
        }
    }

    /** A signing or verifying context and the native buffers it uses, one thread at a time. */
    private static final class Context {
        final Object ctx;
        final Object signature;
        final ByteBuffer signatureBuffer;
        final Object sizeSlot; // the size_t OpenSSL reads the buffer's size from and writes the signature's to
        final ByteBuffer sizeBuffer;
        final Object digest;
        final ByteBuffer digestBuffer;

        Context(Object ctx, Object signature, Object sizeSlot, Object digest, Foreign ffm) throws Throwable {
            this.ctx = ctx;
            this.signature = signature;
            this.signatureBuffer = ffm.byteBuffer(signature);
            this.sizeSlot = sizeSlot;
            this.sizeBuffer = ffm.byteBuffer(sizeSlot).order(ByteOrder.nativeOrder());
            this.digest = digest;
            this.digestBuffer = ffm.byteBuffer(digest);
        }
    }

    /** The libcrypto functions used, as method handles with {@code MemorySegment} erased to {@code Object}. */
    private static final class Functions {
        final Foreign ffm;
        final String version;
        final Object sha256;
        final MethodHandle bioNewMemBuf; // BIO *BIO_new_mem_buf(const void *buf, int len)
        final MethodHandle bioFree; // int BIO_free(BIO *a)
        final MethodHandle d2iPrivateKeyBio; // EVP_PKEY *d2i_PrivateKey_bio(BIO *bp, EVP_PKEY **a)
        final MethodHandle d2iPublicKeyBio; // EVP_PKEY *d2i_PUBKEY_bio(BIO *bp, EVP_PKEY **a)
        final MethodHandle pkeyFree; // void EVP_PKEY_free(EVP_PKEY *key)
        final MethodHandle ctxNew; // EVP_PKEY_CTX *EVP_PKEY_CTX_new(EVP_PKEY *pkey, ENGINE *e)
        final MethodHandle ctxFree; // void EVP_PKEY_CTX_free(EVP_PKEY_CTX *ctx)
        final MethodHandle signInit; // int EVP_PKEY_sign_init(EVP_PKEY_CTX *ctx)
        final MethodHandle setPadding; // int EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *ctx, int pad)
        final MethodHandle setSignatureMd; // int EVP_PKEY_CTX_set_signature_md(EVP_PKEY_CTX *ctx, const EVP_MD *md)
        final MethodHandle sign; // int EVP_PKEY_sign(ctx, unsigned char *sig, size_t *siglen, tbs, size_t tbslen)
        final MethodHandle verifyInit; // int EVP_PKEY_verify_init(EVP_PKEY_CTX *ctx)
        final MethodHandle verify; // int EVP_PKEY_verify(ctx, const unsigned char *sig, size_t siglen, tbs, size_t tbslen)
        final MethodHandle clearErrors; // void ERR_clear_error(void)

        private Functions(Foreign ffm) throws Throwable {
            this.ffm = ffm;
            String a = "A", i = "I", j = "J", v = "V";
            long versionNumber = (long) ffm.function("OpenSSL_version_num", j).invokeExact();
            if (versionNumber >>> 28 < 3) {
                throw new IllegalStateException("OpenSSL 3 needed");
            }
            version = "OpenSSL " + (versionNumber >>> 28) + "." + (versionNumber >>> 20 & 0xff) + "."
                    + (versionNumber >>> 4 & 0xff) + " (libcrypto)";
            sha256 = ffm.function("EVP_sha256", a).invokeExact();
            bioNewMemBuf = ffm.function("BIO_new_mem_buf", a, a, i);
            bioFree = ffm.function("BIO_free", i, a);
            d2iPrivateKeyBio = ffm.function("d2i_PrivateKey_bio", a, a, a);
            d2iPublicKeyBio = ffm.function("d2i_PUBKEY_bio", a, a, a);
            pkeyFree = ffm.function("EVP_PKEY_free", v, a);
            ctxNew = ffm.function("EVP_PKEY_CTX_new", a, a, a);
            ctxFree = ffm.function("EVP_PKEY_CTX_free", v, a);
            signInit = ffm.function("EVP_PKEY_sign_init", i, a);
            setPadding = ffm.function("EVP_PKEY_CTX_set_rsa_padding", i, a, i);
            setSignatureMd = ffm.function("EVP_PKEY_CTX_set_signature_md", i, a, a);
            sign = ffm.function("EVP_PKEY_sign", i, a, a, a, a, j);
            verifyInit = ffm.function("EVP_PKEY_verify_init", i, a);
            verify = ffm.function("EVP_PKEY_verify", i, a, a, j, a, j);
            clearErrors = ffm.function("ERR_clear_error", v);
        }

        static Functions bind() {
            if (Runtime.version().feature() < 22) {
                notUsed = "Java 22 or newer needed";
                return null;
            }
            if ("off".equals(System.getProperty("tessera.openssl"))) {
                notUsed = "tessera.openssl=off";
                return null;
            }
            try {
                Foreign ffm = Foreign.of("libcrypto.so.3");
                if (ffm == null) {
                    notUsed = "native access not enabled (--enable-native-access=ALL-UNNAMED)";
                    return null;
                }
                return new Functions(ffm);
            } catch (Throwable e) {
                notUsed = e.toString(); // no usable libcrypto: the JDK signs
                return null;
            }
        }

        Key load(Algorithm algorithm, PrivateKey key) throws Throwable {
            byte[] der = key.getEncoded(); // PKCS#8 PrivateKeyInfo
            try {
                return new Key(this, algorithm, true, decode(der, d2iPrivateKeyBio, true), signatureLength(algorithm, key));
            } finally {
                Arrays.fill(der, (byte) 0);
            }
        }

        Key loadPublic(Algorithm algorithm, PublicKey key) throws Throwable {
            byte[] der = key.getEncoded(); // X.509 SubjectPublicKeyInfo
            return new Key(this, algorithm, false, decode(der, d2iPublicKeyBio, false), signatureLength(algorithm, key));
        }

        /** The longest signature {@code key} makes: the RSA modulus' bytes, or DER ECDSA on P-256. */
        private static int signatureLength(Algorithm algorithm, java.security.Key key) {
            return algorithm == Algorithm.RS256 ? (((RSAKey) key).getModulus().bitLength() + 7) / 8 : P256.DER_MAX;
        }

        /** The {@code EVP_PKEY} that {@code d2i} reads from {@code der}; a secret's native copy is zeroed after. */
        private Object decode(byte[] der, MethodHandle d2i, boolean secret) throws Throwable {
            Object arena = ffm.confinedArena();
            ByteBuffer view = null;
            try {
                Object buffer = ffm.allocate(arena, der.length);
                view = ffm.byteBuffer(buffer);
                view.put(der);
                Object bio = bioNewMemBuf.invokeExact(buffer, der.length);
                if (ffm.isNull(bio)) {
                    throw new IllegalStateException("BIO_new_mem_buf failed");
                }
                Object pkey = d2i.invokeExact(bio, ffm.nullPointer());
                int ignored = (int) bioFree.invokeExact(bio);
                if (ffm.isNull(pkey)) {
                    clearErrors.invokeExact();
                    throw new IllegalStateException("OpenSSL could not read the key");
                }
                return pkey;
            } finally {
                if (secret && view != null) {
                    view.clear();
                    view.put(new byte[view.capacity()]); // no copy of the private key left in native memory
                }
                ffm.close(arena);
            }
        }

        Context newContext(Algorithm algorithm, boolean signs, Object pkey, int signatureLength) throws Throwable {
            Object ctx = ctxNew.invokeExact(pkey, ffm.nullPointer());
            if (ffm.isNull(ctx)) {
                throw new IllegalStateException("EVP_PKEY_CTX_new failed");
            }
            int initialized = signs ? (int) signInit.invokeExact(ctx) : (int) verifyInit.invokeExact(ctx);
            if (initialized <= 0
                    || algorithm == Algorithm.RS256 && (int) setPadding.invokeExact(ctx, RSA_PKCS1_PADDING) <= 0
                    || (int) setSignatureMd.invokeExact(ctx, sha256) <= 0) {
                ctxFree.invokeExact(ctx);
                clearErrors.invokeExact();
                throw new IllegalStateException("EVP_PKEY_" + (signs ? "sign" : "verify") + "_init failed");
            }
            Object arena = ffm.autoArena(); // freed with the context's buffers once unreachable
            return new Context(ctx, ffm.allocate(arena, signatureLength), ffm.allocate(arena, Long.BYTES),
                    ffm.allocate(arena, 32), ffm);
        }

        byte[] sign(Context context, byte[] digest) throws Throwable {
            ByteBuffer in = context.digestBuffer.clear();
            in.put(digest);
            context.sizeBuffer.putLong(0, context.signatureBuffer.capacity());
            int ok = (int) sign.invokeExact(context.ctx, context.signature, context.sizeSlot, context.digest,
                    (long) digest.length);
            long written = context.sizeBuffer.getLong(0);
            if (ok <= 0 || written <= 0 || written > context.signatureBuffer.capacity()) {
                clearErrors.invokeExact();
                throw new IllegalStateException("EVP_PKEY_sign failed");
            }
            byte[] signature = new byte[(int) written];
            context.signatureBuffer.clear().get(signature);
            return signature;
        }

        /** 1: {@code signature} (DER for ECDSA) signs {@code digest}; 0: it does not. */
        int verify(Context context, byte[] digest, byte[] signature) throws Throwable {
            context.digestBuffer.clear().put(digest);
            context.signatureBuffer.clear().put(signature);
            int result = (int) verify.invokeExact(context.ctx, context.signature, (long) signature.length,
                    context.digest, (long) digest.length);
            if (result < 0) {
                clearErrors.invokeExact();
                throw new IllegalStateException("EVP_PKEY_verify failed");
            }
            if (result == 0) {
                clearErrors.invokeExact(); // a wrong signature leaves its reason on this thread's error queue
            }
            return result == 1 ? 1 : 0;
        }

        void freeContext(Context context) {
            try {
                ctxFree.invokeExact(context.ctx);
            } catch (Throwable ignored) {
                // nothing more to do for a context that is being dropped
            }
        }

        void free(Object pkey, ConcurrentLinkedQueue<Context> contexts) {
            for (Context context; (context = contexts.poll()) != null; ) {
                freeContext(context);
            }
            try {
                pkeyFree.invokeExact(pkey);
            } catch (Throwable ignored) {
                // the process keeps a few bytes it cannot free
            }
        }
    }

    /**
     * The few parts of {@code java.lang.foreign} used here, reached by reflection so this class compiles for
     * Java 17. Every {@code MemorySegment} and {@code Arena} is typed {@code Object}.
     */
    private static final class Foreign {
        private final Class<?> segmentClass;
        private final Object linker;
        private final Object lookup;
        private final Object nullPointer;
        private final MethodHandle find;
        private final MethodHandle downcall;
        private final MethodHandle functionOf;
        private final MethodHandle functionOfVoid;
        private final Object noOptions;
        private final Class<?> layoutClass;
        private final Object address;
        private final Object int32;
        private final Object int64;
        private final MethodHandle addressOf;
        private final MethodHandle asByteBuffer;
        private final MethodHandle allocate;
        private final MethodHandle ofConfined;
        private final MethodHandle ofAuto;
        private final MethodHandle close;

        private Foreign(String library) throws Throwable {
            MethodHandles.Lookup l = MethodHandles.lookup(); // restricted methods check native access of the caller: this class
            Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
            segmentClass = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
            Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
            layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueLayoutClass = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> layoutArray = Array.newInstance(layoutClass, 0).getClass();

            Object global = l.findStatic(arenaClass, "global", MethodType.methodType(arenaClass)).invoke();
            linker = l.findStatic(linkerClass, "nativeLinker", MethodType.methodType(linkerClass)).invoke();
            lookup = l.findStatic(lookupClass, "libraryLookup",
                    MethodType.methodType(lookupClass, String.class, arenaClass)).invoke(library, global);
            find = l.findVirtual(lookupClass, "find", MethodType.methodType(Optional.class, String.class));
            // fixed arity: the varargs methods below are called with their arrays built here
            downcall = l.findVirtual(linkerClass, "downcallHandle", MethodType.methodType(MethodHandle.class,
                    segmentClass, descriptorClass, Array.newInstance(optionClass, 0).getClass())).asFixedArity();
            functionOf = l.findStatic(descriptorClass, "of",
                    MethodType.methodType(descriptorClass, layoutClass, layoutArray)).asFixedArity();
            functionOfVoid = l.findStatic(descriptorClass, "ofVoid", MethodType.methodType(descriptorClass, layoutArray))
                    .asFixedArity();
            noOptions = Array.newInstance(optionClass, 0);
            address = valueLayoutClass.getField("ADDRESS").get(null);
            int32 = valueLayoutClass.getField("JAVA_INT").get(null);
            int64 = valueLayoutClass.getField("JAVA_LONG").get(null);
            nullPointer = segmentClass.getField("NULL").get(null);
            addressOf = l.findVirtual(segmentClass, "address", MethodType.methodType(long.class));
            asByteBuffer = l.findVirtual(segmentClass, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
            allocate = l.findVirtual(arenaClass, "allocate", MethodType.methodType(segmentClass, long.class));
            ofConfined = l.findStatic(arenaClass, "ofConfined", MethodType.methodType(arenaClass));
            ofAuto = l.findStatic(arenaClass, "ofAuto", MethodType.methodType(arenaClass));
            close = l.findVirtual(arenaClass, "close", MethodType.methodType(void.class));
        }

        /** The API for {@code library}, or {@code null} when native access is not enabled for this code. */
        static Foreign of(String library) throws Throwable {
            Module module = OpenSsl.class.getModule();
            boolean enabled = (boolean) MethodHandles.publicLookup()
                    .findVirtual(Module.class, "isNativeAccessEnabled", MethodType.methodType(boolean.class))
                    .invoke(module);
            return enabled ? new Foreign(library) : null;
        }

        /**
         * A downcall handle for C function {@code name}; the result and then the parameters as {@code "A"}
         * (pointer), {@code "I"} (int), {@code "J"} (long, size_t) or {@code "V"} (void, result only). Pointers
         * are typed {@code Object} in the handle, so Java 17 code can call it with {@code invokeExact}.
         */
        MethodHandle function(String name, String result, String... parameters) throws Throwable {
            Optional<?> symbol = (Optional<?>) find.invoke(lookup, name);
            if (symbol.isEmpty()) {
                throw new IllegalStateException("libcrypto has no " + name);
            }
            Object[] layouts = (Object[]) Array.newInstance(layoutClass, parameters.length);
            for (int k = 0; k < parameters.length; k++) {
                layouts[k] = layout(parameters[k]);
            }
            Object descriptor = "V".equals(result)
                    ? functionOfVoid.invoke(layouts)
                    : functionOf.invoke(layout(result), layouts);
            MethodHandle handle = (MethodHandle) downcall.invoke(linker, symbol.get(), descriptor, noOptions);
            return handle.asType(erase(handle.type()));
        }

        private Object layout(String code) {
            switch (code) {
                case "A": return address;
                case "I": return int32;
                case "J": return int64;
                default: throw new IllegalArgumentException(code);
            }
        }

        private MethodType erase(MethodType type) {
            MethodType erased = type;
            for (int k = 0; k < type.parameterCount(); k++) {
                if (type.parameterType(k) == segmentClass) {
                    erased = erased.changeParameterType(k, Object.class);
                }
            }
            return type.returnType() == segmentClass ? erased.changeReturnType(Object.class) : erased;
        }

        Object nullPointer() {
            return nullPointer;
        }

        boolean isNull(Object segment) throws Throwable {
            return (long) addressOf.invoke(segment) == 0;
        }

        ByteBuffer byteBuffer(Object segment) throws Throwable {
            return (ByteBuffer) asByteBuffer.invoke(segment);
        }

        Object allocate(Object arena, long bytes) throws Throwable {
            return allocate.invoke(arena, bytes);
        }

        Object confinedArena() throws Throwable {
            return ofConfined.invoke();
        }

        Object autoArena() throws Throwable {
            return ofAuto.invoke();
        }

        void close(Object arena) throws Throwable {
            close.invoke(arena);
        }
    }
}
