// Must not compile: a worker cannot see api/.
#include "api/identity/commands.hpp"
