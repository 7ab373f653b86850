# needs: base waits engine-api engine
# The engine's threads stranded in removed network namespaces, one id a line (lib/engine.sh,
# engine_stray_threads; wait-gossip.sh restarts such an engine). Reads only.
engine_stray_threads
