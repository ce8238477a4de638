"""tools/deploy's library: the inventory, the hosts (network namespaces or loopback addresses,
shared with the chaos harness), the per-host supervisor, and the up / upgrade / status / down
commands. See docs/operator-guide.md, "Deploying an ensemble"."""
