#pragma once
#include <compare>
#include <utility>

namespace lms::domain {

// A value with a name of its own, so that a StreamVersion cannot be passed where a count is
// expected and a UserId cannot be passed where a CourseId is.
template <class T, class Tag>
class NamedType {
public:
    using ValueType = T;
    NamedType() = default;
    explicit NamedType(T v) : value_(std::move(v)) {}
    const T& value() const { return value_; }
    auto operator<=>(const NamedType&) const = default;

private:
    T value_{};
};

}  // namespace lms::domain
