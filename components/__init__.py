"""The components of the multi-host setup, bottom to top: hosts (one kind per stack), the Consul
keystore, clustered engines, the overlay network, probes and the ping report."""
