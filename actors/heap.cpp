#include "actors/heap.hpp"

#if PADDOCK_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#else
#include <malloc.h>
#endif

namespace paddock::actors {

std::string_view heap_allocator_name() {
#if PADDOCK_WITH_JEMALLOC
  return "jemalloc";
#else
  return "glibc";
#endif
}

void release_free_heap() {
#if PADDOCK_WITH_JEMALLOC
  // Purge every arena's unused dirty pages now (jemalloc would otherwise let them decay).
  static_assert(MALLCTL_ARENAS_ALL == 4096, "the name below spells MALLCTL_ARENAS_ALL");
  mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
#else
  malloc_trim(0);
#endif
}

} // namespace paddock::actors
