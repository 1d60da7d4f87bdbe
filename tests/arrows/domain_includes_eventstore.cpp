// Must not compile: the pure core cannot see the event store (cmake/modules.cmake).
#include "eventstore/pg.hpp"
