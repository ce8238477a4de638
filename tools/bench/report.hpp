#pragma once
// Printing a run's results: a few human-readable lines, or one JSON object per line. Both
// clients print through here, so their --json is the same by construction.
#include "tools/bench/options.hpp"
#include "tools/bench/results.hpp"

#include <iosfwd>

namespace paddock::bench {

void print_human(std::ostream& os, const options& opt, const results& r);
void print_json(std::ostream& os, const options& opt, const results& r);

// Prints the results (--json or human) to `out`, then judges them on `err` as `tool`: replies
// that did not match their requests, or failed requests without --allow-errors, make the
// run a failure. Returns 0, or 1 (the clients' exit status for failed requests).
int report_results(std::ostream& out, std::ostream& err, const char* tool, const options& opt,
                   const results& r);

} // namespace paddock::bench
