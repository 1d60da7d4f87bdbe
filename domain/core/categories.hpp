#pragma once
// Which bounded context a stream belongs to, from its category (the part of the stream id before
// the first '-'): user-… → identity. Each context declares its categories and registers them at
// start; the relay names Kafka topics after the context, the stream_activity read model files
// streams under it.
#include <map>
#include <string>
#include <string_view>

namespace lms::domain {

struct StreamCategory {
    std::string_view category;  // "user"
    std::string_view context;   // "identity"
};

class StreamCategories {
public:
    StreamCategories() = default;
    StreamCategories(std::initializer_list<StreamCategory> categories) {
        for (const auto& c : categories) add(c);
    }
    // Throws std::invalid_argument when the category is claimed by another context already.
    void add(StreamCategory c);
    // The context of a stream; a category no context claims keeps its own name (lower-cased,
    // other characters as '_', "misc" when empty), so that nothing is ever dropped.
    std::string contextOf(std::string_view streamId) const;
    const std::map<std::string, std::string, std::less<>>& all() const { return byCategory_; }

private:
    std::map<std::string, std::string, std::less<>> byCategory_;
};

// The category of a stream id: what comes before the first '-'.
std::string_view categoryOf(std::string_view streamId);

}  // namespace lms::domain
