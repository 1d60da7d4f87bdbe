#include <iostream>

#include "common/allocator.hpp"
#include "common/log.hpp"
#include "eventstore/master_keys.hpp"
#include "eventstore/pg.hpp"
#include "ops/commands.hpp"

namespace {

constexpr const char* kUsage = R"(lms: the learning platform backend

usage: lms <command> [options]     (lms <command> --help for each)

commands:
  serve       run the server: HTTP API, projections, Kafka relay and workers (all, or --only some)
  migrate     apply pending database migrations
  replay      rebuild read models from the first event and swap them in atomically
  audit       verify the event hash chains, or print a stream's history and state as of a time
  events      print events from the store (events tail)
  dev-kafka   host librdkafka's mock Kafka cluster in a process of its own
  admin       create the first ADMIN account (admin create --email ..., password on stdin)
  dlq         list or re-drive the workers' dead letters (dlq list | dlq retry --all | --id T/P/O)
  keys        re-wrap the per-subject data keys under a new master key (keys rotate-master)

configuration comes from LMS_* environment variables (see README.md and .env.example).
)";

}  // namespace

int main(int argc, char** argv) {
    lms::tuneAllocator();
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << kUsage;
        return args.empty() ? 2 : 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    try {
        const auto config = lms::Config::fromEnvironment();
        lms::log::setup(config.logLevel, config.logFormat);
        // Every command that seals or opens personal data uses these (LMS_MASTER_KEY, or the key
        // generated into the data directory), so that no data key is ever stored in clear.
        const auto masterKeys = lms::eventstore::MasterKeys::fromConfig(config);
        masterKeys.install();
        if (command == "serve") return lms::ops::serve(config, args);
        if (command == "migrate") return lms::ops::migrate(config, args);
        if (command == "replay") return lms::ops::replay(config, args);
        if (command == "audit") return lms::ops::audit(config, args);
        if (command == "events") return lms::ops::events(config, args);
        if (command == "dev-kafka") return lms::ops::devKafka(config, args);
        if (command == "admin") return lms::ops::admin(config, args);
        if (command == "dlq") return lms::ops::dlq(config, args);
        if (command == "keys") return lms::ops::keys(config, args);
        std::cerr << "lms: unknown command '" << command << "' (lms --help lists them)\n";
        return 2;
    } catch (const lms::ConfigError& e) {
        std::cerr << "lms: configuration: " << e.what() << "\n";
        return 78;
    } catch (const lms::pg::Error& e) {
        std::cerr << "lms: database: " << e.what() << "\n";
        return 69;
    } catch (const std::exception& e) {
        std::cerr << "lms: " << e.what() << "\n";
        return 1;
    }
}
