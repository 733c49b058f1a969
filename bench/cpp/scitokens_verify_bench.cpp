// Single-thread throughput of scitokens-cpp's C API on the tokens of a Tessera bench fixture:
// scitoken_deserialize (signature + claims, keys from scitokens-cpp's own cache) followed by
// enforcer_test, what a service does for a request carrying a token it has not seen before.
//
//   scitokens_verify_bench ISSUER AUDIENCE TOKENS_FILE SECONDS
// prints: "<ops> ops in <seconds> s: <ops_per_s> ops/s" (exit 1 on any verification failure)
#include <scitokens/scitokens.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

static bool verify_and_enforce(const std::string &token, const char *issuer, Enforcer enf, std::string &error) {
    const char *issuers[] = {issuer, nullptr};
    SciToken scitoken = nullptr;
    char *err = nullptr;
    if (scitoken_deserialize(token.c_str(), &scitoken, issuers, &err) != 0) {
        error = err ? err : "deserialize failed";
        free(err);
        return false;
    }
    Acl acl{"read", "/data/run1/file.root"};
    int rc = enforcer_test(enf, scitoken, &acl, &err);
    if (rc != 0) {
        error = err ? err : "enforcer_test denied";
        free(err);
    }
    scitoken_destroy(scitoken);
    return rc == 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s ISSUER AUDIENCE TOKENS_FILE SECONDS\n", argv[0]);
        return 2;
    }
    const char *issuer = argv[1];
    const char *audiences[] = {argv[2], nullptr};
    double seconds = std::atof(argv[4]);
    std::vector<std::string> tokens;
    std::ifstream in(argv[3]);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) tokens.push_back(line);
    }
    if (tokens.empty()) {
        std::fprintf(stderr, "no tokens in %s\n", argv[3]);
        return 2;
    }
    char *err = nullptr;
    Enforcer enf = enforcer_create(issuer, audiences, &err);
    if (!enf) {
        std::fprintf(stderr, "enforcer_create: %s\n", err ? err : "?");
        return 1;
    }
    std::string error;
    // warm-up: the first call fetches discovery + JWKS over HTTPS into the key cache
    for (size_t i = 0; i < 200 && i < tokens.size(); i++) {
        if (!verify_and_enforce(tokens[i], issuer, enf, error)) {
            std::fprintf(stderr, "verification failed: %s\n", error.c_str());
            return 1;
        }
    }
    using clock = std::chrono::steady_clock;
    auto start = clock::now();
    auto deadline = start + std::chrono::duration<double>(seconds);
    long ops = 0;
    size_t next = 0;
    while (clock::now() < deadline) {
        for (int batch = 0; batch < 64; batch++) {
            if (!verify_and_enforce(tokens[next], issuer, enf, error)) {
                std::fprintf(stderr, "verification failed: %s\n", error.c_str());
                return 1;
            }
            next = next + 1 == tokens.size() ? 0 : next + 1;
            ops++;
        }
    }
    double elapsed = std::chrono::duration<double>(clock::now() - start).count();
    std::printf("%ld ops in %.2f s: %.0f ops/s\n", ops, elapsed, ops / elapsed);
    enforcer_destroy(enf);
    return 0;
}
