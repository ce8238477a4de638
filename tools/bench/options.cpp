#include "tools/bench/options.hpp"

namespace paddock::bench {

std::optional<workload> parse_workload(std::string_view name) {
  if (name == "create") return workload::create;
  if (name == "set") return workload::set;
  if (name == "get") return workload::get;
  if (name == "mixed") return workload::mixed;
  return std::nullopt;
}

std::string_view workload_name(workload w) {
  switch (w) {
  case workload::create: return "create";
  case workload::set: return "set";
  case workload::get: return "get";
  case workload::mixed: return "mixed";
  }
  return "?";
}

std::string servers_text(const options& opt) {
  std::string out;
  for (const auto& ep : opt.servers) {
    if (!out.empty()) out += ',';
    out += tools::to_string(ep);
  }
  return out;
}

} // namespace paddock::bench
