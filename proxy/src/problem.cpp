#include "problem.h"

#include "dhtpush/node/json.h"

namespace dhtpush::proxy {

int httpStatusFor(Errc code) {
    switch (code) {
        case Errc::Malformed:
        case Errc::Invalid: return 400;
        case Errc::Unauthorized: return 401;
        case Errc::Forbidden: return 403;
        case Errc::NotFound: return 404;
        case Errc::Conflict: return 409;
        case Errc::TooLarge: return 413;
        case Errc::UnsupportedEncoding: return 415;
        case Errc::QuotaExceeded: return 429;
        case Errc::StorageFull: return 507;
        case Errc::Unavailable: return 503;
        case Errc::Internal: return 500;
    }
    return 500;
}

const char* reasonPhrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 413: return "Payload Too Large";
        case 414: return "URI Too Long";
        case 415: return "Unsupported Media Type";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 503: return "Service Unavailable";
        case 507: return "Insufficient Storage";
        default: return "Internal Server Error";
    }
}

std::string problemJson(int status, const Error& error) {
    Json::Value body(Json::objectValue);
    body["type"] = std::string("urn:dhtpush:problem:") + errcName(error.code);
    body["title"] = reasonPhrase(status);
    body["status"] = status;
    body["detail"] = error.detail;
    return node::writeJson(body);
}

}  // namespace dhtpush::proxy
