#pragma once
// The gauges of /metrics, built at scrape time from the same figures mntr prints: every
// numeric value of admin::monitor_values, under mntr's key without "zk_" (ZooKeeper's
// provider registers one Prometheus gauge per registered gauge, named as the gauge, with the
// name as help text). Words (version, server_state, peer_state) are not gauges and are left
// out, as ZooKeeper leaves them out. ZooKeeper's counters that mntr prints too
// (digest_mismatches_count) are exported as the counters they are in ZooKeeper's provider.
// Pure: no I/O, testable alone.
#include "protocol/admin/monitor_values.hpp"

#include <prometheus/metric_family.h>
#include <string>
#include <vector>

namespace paddock::actors::metrics {

std::vector<prometheus::MetricFamily>
gauge_families(const std::vector<admin::monitor_value>& values);

// One gauge family of one unlabelled value (Paddock's own, prefixed paddock_).
prometheus::MetricFamily gauge_family(const std::string& name, const std::string& help,
                                      double value);

} // namespace paddock::actors::metrics
