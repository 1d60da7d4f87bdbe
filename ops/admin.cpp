#include <unistd.h>

#include <iostream>

#include "api/identity/commands.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "eventstore/event_store.hpp"
#include "ops/commands.hpp"

namespace lms::ops {

int admin(const Config& config, const Args& args) {
    if (args.empty() || args[0] != "create" || wantsHelp(args)) {
        std::cout << R"(usage: lms admin create --email EMAIL [--first-name NAME] [--last-name NAME]

Creates an ADMIN account (admins cannot self-register). The password is read from the first
line of standard input, so that it never appears in a process list or shell history:
  printf '%s\n' "$PASSWORD" | lms admin create --email ops@example.com
)";
        return wantsHelp(args) ? 0 : 2;
    }
    const std::string email = option(args, "email");
    if (email.empty()) {
        std::cerr << "lms admin create: --email is required\n";
        return 2;
    }
    if (isatty(STDIN_FILENO) != 0) std::cerr << "password: " << std::flush;
    std::string password;
    std::getline(std::cin, password);
    pg::Connection c(config.databaseUrl);
    eventstore::migrate(c);
    const std::string first = option(args, "first-name");
    const std::string last = option(args, "last-name");
    const identity::RegisterInput in{email,   password, first.empty() ? "Admin" : first, last.empty() ? "Admin" : last,
                                     "ADMIN", true};
    identity::Settings settings;
    settings.cost = identity::Settings::costFrom(config);
    auto r =
        identity::Commands(c, Clock::system(), settings).registerUser(in, {"lms-admin-create", "cli-" + newUuid(), ""});
    if (!r) {
        std::cerr << "lms admin create: " << r.error().message;
        for (const auto& f : r.error().errors) std::cerr << "; " << f.field << " " << f.message;
        std::cerr << "\n";
        return 1;
    }
    std::cout << "admin created: " << r->email << " (user " << r->userId.value() << ")" << std::endl;
    return 0;
}

}  // namespace lms::ops
