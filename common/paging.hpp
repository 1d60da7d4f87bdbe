#pragma once
// A page of a list (API.md "Lists"): which page was asked for, and what it holds.
#include <cstdint>
#include <vector>

namespace lms {

struct PageRequest {
    int page = 1;    // from 1
    int limit = 20;  // 1..100
    std::int64_t offset() const { return static_cast<std::int64_t>(page - 1) * limit; }
};

template <class T>
struct Page {
    std::int64_t totalItems = 0;
    std::vector<T> items;
};

}  // namespace lms
