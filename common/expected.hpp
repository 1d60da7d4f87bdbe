#pragma once
// A small stand-in for std::expected (C++23): g++ 12 lacks it and clang-tidy 14 cannot read
// <expected>. Names and semantics follow the standard so that switching is a rename.
// Expected failures (validation, conflicts, not-found) travel as values; broken
// infrastructure (a lost database connection) is an exception.
#include <utility>
#include <variant>

namespace lms {

template <class E>
class unexpected {
public:
    explicit unexpected(E e) : error_(std::move(e)) {}
    const E& error() const& { return error_; }
    E&& error() && { return std::move(error_); }

private:
    E error_;
};

template <class T, class E>
class [[nodiscard]] expected {
public:
    expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
    expected(unexpected<E> u) : v_(std::in_place_index<1>, std::move(u).error()) {}  // NOLINT

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    E& error() & { return std::get<1>(v_); }
    const E& error() const& { return std::get<1>(v_); }

private:
    std::variant<T, E> v_;
};

}  // namespace lms
