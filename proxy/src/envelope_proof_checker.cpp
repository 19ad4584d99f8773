#include "envelope_proof_checker.h"

#include "vapid_check.h"

namespace dhtpush::proxy {

EnvelopeProofChecker::EnvelopeProofChecker(std::size_t remembered, double failuresPerSecond)
    : capacity_(remembered ? remembered : 1), budget_(failuresPerSecond, failuresPerSecond * 2) {}

Status EnvelopeProofChecker::check(const std::string& token, const std::string& boundKey,
                                   const node::Envelope& envelope, std::int64_t nowUnix) {
    if (boundKey.empty()) return success();
    // The cheap rules first (no signature needed): checkEnvelopeVapid refuses these at once.
    if (envelope.encoding != "aes128gcm" || envelope.vapid.empty()) {
        auto refused = checkEnvelopeVapid(boundKey, envelope, nowUnix);
        return refused ? success() : Status(refused.error());
    }
    const auto key = boundKey + '\n' + envelope.vapid;
    if (auto found = results_.find(key); found != results_.end()) {
        byUse_.splice(byUse_.end(), byUse_, found->second.use);
        const auto exp = found->second.exp;
        if (exp == 0) return makeError(Errc::Forbidden, "VAPID: this proof failed before");
        if (exp <= nowUnix) return makeError(Errc::Forbidden, "VAPID: VAPID JWT has expired");
        if (envelope.createdMs / 1000 >= static_cast<std::uint64_t>(exp))
            return makeError(Errc::Forbidden, "VAPID: the envelope was created after its JWT expired");
        return success();
    }
    const auto now = RateLimiter::Clock::now();
    if (!budget_.ready(token, now))
        return makeError(Errc::Unavailable, "too many failed VAPID proofs for this subscription lately");
    ++signatureChecks_;
    auto exp = checkEnvelopeVapid(boundKey, envelope, nowUnix);
    if (!exp) budget_.take(token, now);
    // why: a failure that depends on the envelope rather than the header (created after the
    // JWT's exp) must not condemn the header for the next envelope.
    const bool headerFailed = !exp && exp.error().detail.find("created after") == std::string::npos;
    if (exp || headerFailed) remember(key, exp ? *exp : 0);
    if (!exp) return exp.error();
    return success();
}

void EnvelopeProofChecker::remember(const std::string& key, std::int64_t exp) {
    if (results_.size() >= capacity_) {
        results_.erase(byUse_.front());
        byUse_.pop_front();
    }
    byUse_.push_back(key);
    results_[key] = Entry{exp, std::prev(byUse_.end())};
}

}  // namespace dhtpush::proxy
