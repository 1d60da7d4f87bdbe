// Must not compile: the object store sees common/ alone (the API links it too).
#include "eventstore/pg.hpp"
