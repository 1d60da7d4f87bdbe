#include <pthread.h>
#include <signal.h>

#include "ops/commands.hpp"

namespace lms::ops {

bool wantsHelp(const Args& args) {
    for (const auto& a : args) {
        if (a == "--help" || a == "-h") return true;
    }
    return false;
}

std::string option(const Args& args, const std::string& name) {
    const std::string longName = "--" + name;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == longName && i + 1 < args.size()) return args[i + 1];
        if (args[i].rfind(longName + "=", 0) == 0) return args[i].substr(longName.size() + 1);
    }
    return "";
}

bool flag(const Args& args, const std::string& name) {
    for (const auto& a : args) {
        if (a == "--" + name) return true;
    }
    return false;
}

void blockSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int waitForSignal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    return sig;
}

}  // namespace lms::ops
