// Issue 17, item 2: the eleven malformed requests that got a closed connection get a status
// and an application/problem+json body on both listeners (HTTP, and HTTPS inside TLS), then
// the connection closes; the node goes on serving.
#include <functional>
#include <string>
#include <vector>

#include "proxy_fixture.h"
#include "raw_http.h"
#include "raw_tls.h"
#include "self_signed_certificate.h"
#include "temp_dir.h"

#include <catch2/catch.hpp>

using namespace dhtpush;
using namespace dhtpush::test;

namespace {

struct Answer {
    int status{0};
    bool problemJson{false};
};

// What came back to `bytes` on one connection, until the node closed it; a node that kept
// it open shows no status in time.
using Exchange = std::function<std::string(const std::string& bytes)>;

Answer answerOf(const std::string& response) {
    Answer answer;
    if (response.rfind("HTTP/1.1 ", 0) == 0) answer.status = std::stoi(response.substr(9, 3));
    answer.problemJson = response.find("application/problem+json") != std::string::npos;
    return answer;
}

void checkMalformedRequests(const Exchange& exchange) {
    const std::string headers200k = "X-Big: " + std::string(200000, 'a') + "\r\n";
    std::string manyHeaders;
    for (int i = 0; i < 2000; ++i) manyHeaders += "X-" + std::to_string(i) + ": v\r\n";
    const std::vector<std::pair<std::string, int>> cases{
        {"POST /wp/%FF HTTP/1.1\r\nHost: x\r\nTTL: 60\r\nContent-Length: 0\r\n\r\n", 400},
        {"POST /wp/% HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 400},
        {"POST /wp/%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 400},
        {"POST /wp/%FF%FE%00 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 400},
        {"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431},
        {"GET /health HTTP/1.1\r\nHost: x\r\n" + headers200k + "\r\n", 431},
        {"GET /health HTTP/1.1\r\nHost: x\r\n" + manyHeaders + "\r\n", 431},
        {"POST /wp/x HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" + std::string(65536, 'b'), 413},
        {"POST /wp/x HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\nhello", 413},
        {"POST /wp/x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
        {"THIS IS NOT HTTP\r\n\r\n", 400},
        {"GET /" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
    };
    for (const auto& [bytes, status] : cases) {
        CAPTURE(bytes.substr(0, 60));
        const auto answer = answerOf(exchange(bytes));
        CHECK(answer.status == status);
        CHECK(answer.problemJson);
    }
    // The node serves on.
    CHECK(answerOf(exchange("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).status == 200);
}

}  // namespace

TEST_CASE("malformed requests get a status and a problem body, then the connection closes", "[integration][http]") {
    LocalDhtNetwork network(2);
    RunningProxy proxy(network);
    const auto port = portOf(proxy.httpUrl());
    checkMalformedRequests([port](const std::string& bytes) {
        RawConnection connection("127.0.0.2", port);
        connection.send(bytes);
        return connection.readAll(std::chrono::seconds(10));
    });
}

// Regression: the HTTPS listener closed the connection without a word on each of them.
TEST_CASE("malformed requests over HTTPS get the same answers inside TLS", "[integration][http][https]") {
    LocalDhtNetwork network(2);
    const TempDir dir;
    const SelfSignedCertificate certificate(dir.path().string());
    proxy::ProxyConfig config;
    config.https.certFile = certificate.certFile;
    config.https.keyFile = certificate.keyFile;
    RunningProxy proxy(network, config);
    const auto port = portOf(proxy.httpsUrl());
    checkMalformedRequests([port](const std::string& bytes) {
        RawTlsConnection connection("127.0.0.2", port);
        return connection.exchange(bytes, std::chrono::seconds(10));
    });
}
