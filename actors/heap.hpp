#pragma once
// The process heap: which allocator serves it, and giving freed memory back to the system.
// The server links jemalloc (Debian's libjemalloc) unless built with sanitizers, which bring
// their own: glibc's malloc spent a third of a replicated write's CPU in _int_malloc,
// _int_free and malloc_consolidate (docs/benchmarks.md, the write-path profile), because
// actors allocate a message on one thread and free it on another.
#include <string_view>

namespace paddock::actors {

// "jemalloc" or "glibc", for the startup log and `envi`.
std::string_view heap_allocator_name();

// Returns memory that freed objects held to the system now, rather than when the allocator
// decides to (after many connections closed, say). Walks the heap: call it rarely.
void release_free_heap();

} // namespace paddock::actors
