// paddock-watch-bench: the cost of store::watch_table::trigger alone, in-process, by the
// depth of the changed path — what a write pays in the watch manager for the watches that
// exist. No server, no network: the figure the shared machine's noise hides end to end
// (tools/bench-watches measures that).
//
// Cases, each a NodeDataChanged on a path of depth 1..8:
//   none       no watch at all (one hash lookup on an empty table)
//   recursive  N persistent-recursive watches elsewhere in the tree (none an ancestor of
//              the changed path, so nothing fires: the ancestor walk alone)
//   firing     the same, plus one recursive watch on the changed path's top ancestor, so
//              every trigger fires one event
#include "store/watches/watch_table.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace paddock;

namespace {

std::string changed_path(int depth) {
  std::string p;
  for (int d = 1; d <= depth; ++d)
    p += "/level" + std::to_string(d);
  return p;
}

// N recursive watches on paths of depth 1..8 under /watched: never ancestors of changed_path.
void add_watches(store::watch_table& t, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    std::string p = "/watched";
    for (size_t d = 1; d < 1 + i % 8; ++d)
      p += "/d" + std::to_string(d);
    p += "/w" + std::to_string(i);
    t.add_persistent_watch(p, 1 + i % 16, store::watch_mode::persistent_recursive);
  }
}

double ns_per_trigger(store::watch_table& t, const std::string& path, size_t iterations) {
  std::vector<store::fired_event> out;
  out.reserve(4);
  const store::watch_trigger trig{path, jute::event_type::node_data_changed};
  size_t fired = 0;
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < iterations; ++i) {
    t.trigger(trig, out);
    fired += out.size();
    out.clear();
  }
  auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start);
  if (fired == size_t(-1)) std::puts(""); // keep the loop observable
  return ns.count() / static_cast<double>(iterations);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"paddock-watch-bench: ns per watch_table::trigger by path depth"};
  size_t watches = 10000;
  size_t iterations = 2000000;
  app.add_option("--watches", watches, "persistent-recursive watches")->capture_default_str();
  app.add_option("--iterations", iterations, "triggers per cell")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  store::watch_table none;
  store::watch_table recursive;
  add_watches(recursive, watches);
  store::watch_table firing;
  add_watches(firing, watches);
  firing.add_persistent_watch("/level1", 999, store::watch_mode::persistent_recursive);

  std::printf("| depth | none ns | %zu recursive ns | + 1 firing ns |\n|---|---|---|---|\n",
              watches);
  for (int depth = 1; depth <= 8; ++depth) {
    auto path = changed_path(depth);
    std::printf("| %d | %.0f | %.0f | %.0f |\n", depth, ns_per_trigger(none, path, iterations),
                ns_per_trigger(recursive, path, iterations),
                ns_per_trigger(firing, path, iterations));
  }
  return 0;
}
