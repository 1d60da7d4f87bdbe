#pragma once
#include "projections/projection.hpp"

namespace lms::projections::certificates {

// The certificates read model: one row per certificate, its current revision's digest and object
// key, the digests it superseded, its revocation. The student's name is opened with their key
// when applied; their erasure (identity's UserErased) blanks it, and so does a replay after it
// (the key is gone). Applied inline by the certificate commands and by the runner.
class CertificatesProjection final : public Projection {
public:
    std::string name() const override { return "certificates"; }
    int version() const override { return 1; }
    std::vector<std::string> tables() const override { return {"certificates"}; }
    std::string ddl() const override;
    void apply(pg::Connection& c, const eventstore::RecordedEvent& e) override;
};

}  // namespace lms::projections::certificates
