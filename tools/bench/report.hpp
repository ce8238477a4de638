#pragma once
// Printing a run's results: a few human-readable lines, or one JSON object per line. Both
// clients print through here, so their --json is the same by construction.
#include "tools/bench/options.hpp"
#include "tools/bench/results.hpp"

#include <iosfwd>

namespace paddock::bench {

void print_human(std::ostream& os, const options& opt, const results& r);
void print_json(std::ostream& os, const options& opt, const results& r);

} // namespace paddock::bench
