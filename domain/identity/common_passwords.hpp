#pragma once
#include <string>

namespace lms::domain::identity {

// True when password (compared case-insensitively) is on the shipped list of commonly used
// passwords (domain/identity/common_passwords.txt, embedded at build time).
bool isCommonPassword(const std::string& password);

}  // namespace lms::domain::identity
