#include "tools/bench/report.hpp"

#include "protocol/jute/error_code.hpp"

#include <cstdio>
#include <ostream>
#include <string>

namespace paddock::bench {

namespace {

double us(uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

double ops_per_second(const results& r) {
  return r.seconds > 0 ? static_cast<double>(r.ops) / r.seconds : 0.0;
}

std::string error_summary(const results& r) {
  std::string out;
  for (auto [code, count] : r.errors_by_code) {
    if (!out.empty()) out += ", ";
    out += std::string(jute::error_name(static_cast<jute::error_code>(code))) + "=" +
           std::to_string(count);
  }
  return out;
}

double per_op_us(double cpu_s, uint64_t ops) {
  return ops > 0 ? cpu_s * 1e6 / static_cast<double>(ops) : 0.0;
}

} // namespace

void print_human(std::ostream& os, const options& opt, const results& r) {
  const auto& h = r.latency;
  os << "workload " << workload_name(opt.workload) << " on " << servers_text(opt);
  if (opt.servers.size() > 1) os << " (sessions round-robin)";
  os << ": " << opt.sessions << " sessions x " << opt.outstanding << " outstanding, value "
     << opt.value_size << " B";
  if (uses_keys(opt.workload)) os << ", " << opt.key_space << " keys";
  os << '\n';
  os << "  throughput  " << fixed(ops_per_second(r), 0) << " ops/s (" << r.ops << " ops in "
     << fixed(r.seconds, 2) << " s after " << fixed(opt.warmup_s, 1) << " s warmup)\n";
  os << "  latency us  p50 " << fixed(us(h.value_at_quantile(0.50)), 1) << "  p99 "
     << fixed(us(h.value_at_quantile(0.99)), 1) << "  p999 "
     << fixed(us(h.value_at_quantile(0.999)), 1) << "  max " << fixed(us(h.max()), 1) << "  mean "
     << fixed(h.mean() / 1000.0, 1) << '\n';
  os << "  errors      " << r.errors;
  if (r.errors > 0) os << " (" << error_summary(r) << ")";
  os << ", verification failures " << r.verify_failures << '\n';
  if (r.cpu) {
    const auto& c = *r.cpu;
    os << "  cpu         client " << fixed(per_op_us(c.client_cpu_s, c.window_ops), 1) << " us/op";
    if (c.server_cpu_s)
      os << ", servers " << fixed(per_op_us(*c.server_cpu_s, c.window_ops), 1) << " us/op ("
         << fixed(*c.server_cpu_s, 2) << " s)";
    os << " over " << c.window_ops << " replies in " << fixed(c.window_s, 2) << " s\n";
  }
}

void print_json(std::ostream& os, const options& opt, const results& r) {
  const auto& h = r.latency;
  // "server" stays one string (every server, comma-joined) for existing readers; "servers"
  // lists them one by one.
  os << "{\"workload\":\"" << workload_name(opt.workload) << "\",\"server\":\"" << servers_text(opt)
     << "\",\"servers\":[";
  for (size_t i = 0; i < opt.servers.size(); ++i)
    os << (i ? "," : "") << '"' << tools::to_string(opt.servers[i]) << '"';
  os << "],\"sessions\":" << opt.sessions << ",\"outstanding\":" << opt.outstanding
     << ",\"value_size\":" << opt.value_size << ",\"key_space\":" << opt.key_space
     << ",\"ops\":" << r.ops << ",\"seconds\":" << fixed(r.seconds, 3)
     << ",\"ops_per_sec\":" << fixed(ops_per_second(r), 1)
     << ",\"p50_us\":" << fixed(us(h.value_at_quantile(0.50)), 1)
     << ",\"p99_us\":" << fixed(us(h.value_at_quantile(0.99)), 1)
     << ",\"p999_us\":" << fixed(us(h.value_at_quantile(0.999)), 1)
     << ",\"max_us\":" << fixed(us(h.max()), 1) << ",\"mean_us\":" << fixed(h.mean() / 1000.0, 1)
     << ",\"errors\":" << r.errors << ",\"verify_failures\":" << r.verify_failures
     << ",\"errors_by_name\":{";
  bool first = true;
  for (auto [code, count] : r.errors_by_code) {
    os << (first ? "" : ",") << '"' << jute::error_name(static_cast<jute::error_code>(code))
       << "\":" << count;
    first = false;
  }
  os << '}';
  if (r.cpu) {
    const auto& c = *r.cpu;
    os << ",\"window_ops\":" << c.window_ops << ",\"window_s\":" << fixed(c.window_s, 3)
       << ",\"window_start_unix\":" << fixed(c.window_start_unix, 3)
       << ",\"window_end_unix\":" << fixed(c.window_end_unix, 3)
       << ",\"client_cpu_s\":" << fixed(c.client_cpu_s, 3)
       << ",\"client_cpu_us_per_op\":" << fixed(per_op_us(c.client_cpu_s, c.window_ops), 2);
    if (c.server_cpu_s)
      os << ",\"server_cpu_s\":" << fixed(*c.server_cpu_s, 3)
         << ",\"server_cpu_us_per_op\":" << fixed(per_op_us(*c.server_cpu_s, c.window_ops), 2);
  }
  os << "}\n";
}

int report_results(std::ostream& out, std::ostream& err, const char* tool, const options& opt,
                   const results& r) {
  if (opt.json)
    print_json(out, opt, r);
  else
    print_human(out, opt, r);
  out.flush();
  int status = 0;
  if (r.verify_failures > 0) {
    err << tool << ": " << r.verify_failures << " replies did not match their requests\n";
    status = 1;
  }
  if (r.errors > 0 && !opt.allow_errors) {
    err << tool << ": " << r.errors << " requests failed (use --allow-errors to accept)\n";
    status = 1;
  }
  return status;
}

} // namespace paddock::bench
