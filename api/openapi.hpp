#pragma once
#include <string>

namespace lms::api {

// api/openapi.json merged with the contexts' api/*/openapi.json and embedded at build time.
const std::string& openApiDocument();

}  // namespace lms::api
