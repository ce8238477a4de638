#pragma once
// A Stat printed as zkCli's StatPrinter prints it (stat, get -s, config -s, reconfig -s).
#include "protocol/jute/data_records.hpp"

#include <ostream>

namespace paddock::cli {

void print_stat(std::ostream& out, const jute::stat& s);

} // namespace paddock::cli
