#pragma once
#include <string>

namespace lms::api {

// api/openapi.json as embedded at build time.
const std::string& openApiDocument();

}  // namespace lms::api
