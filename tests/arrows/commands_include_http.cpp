// Must not compile: a context's use cases (lms::identity) cannot see the HTTP kit.
#include "api/http/message.hpp"
