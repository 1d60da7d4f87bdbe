#pragma once
// The `lms` subcommands. Each takes its arguments after the subcommand name and returns the
// process exit code; each prints its own --help.
#include <string>
#include <vector>

#include "api/context.hpp"
#include "common/config.hpp"
#include "projections/projection.hpp"

namespace lms::ops {

using Args = std::vector<std::string>;

int serve(const Config& config, const Args& args);
int migrate(const Config& config, const Args& args);
int replay(const Config& config, const Args& args);
int audit(const Config& config, const Args& args);
int events(const Config& config, const Args& args);
int devKafka(const Config& config, const Args& args);
int admin(const Config& config, const Args& args);
int keys(const Config& config, const Args& args);
int dlq(const Config& config, const Args& args);

// Every bounded context of this build, registered (ops/contexts.cpp).
const api::Registry& contexts();
// Every projection of this build, in the order they are started.
std::vector<std::unique_ptr<projections::Projection>> allProjections();

bool wantsHelp(const Args& args);
// The value after `--name` (or in `--name=value`); empty when absent.
std::string option(const Args& args, const std::string& name);
bool flag(const Args& args, const std::string& name);

// Waits for SIGINT or SIGTERM. Call blockSignals() first, before any thread starts.
void blockSignals();
int waitForSignal();

}  // namespace lms::ops
