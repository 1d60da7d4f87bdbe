#pragma once
// Process-wide allocator settings, applied first thing in main() of lms and of the benchmarks.
#include <malloc.h>

namespace lms {

// Readers of the event store free and allocate batches of megabytes over and over: with glibc's
// defaults (a 128 kB trim threshold, large blocks from mmap) each batch's memory went back to
// the kernel and was faulted in again, which cost more client CPU than the reading itself
// (bench/README.md). Keeping up to 16 MiB of freed heap is a small price for a server.
inline void tuneAllocator() {
    mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
}

}  // namespace lms
