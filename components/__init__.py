"""What the program is made of, bottom to top: its configuration (config), the host scripts, the
hosts (one kind per stack), the Consul keystore or the swarm, the engines, the overlay network, the
probes, the ping report (ping parses what the probes print), and the wiring of them all (topology).
Nothing here imports the tools beside the program (ops) or the tooling (scripts)."""
