# needs: waits engine-api engine
# The engines' gossip (serf) as its engine's log tells it; how engines join it: kv-join.sh.

# What the engine's gossip (serf) has met since the engine last started, itself included: serf logs
# `EventMemberJoin: NAME` for each member.
gossip_members() { engine_log | sed -n 's/.*serf: EventMemberJoin: \([^ ]*\) .*/\1/p'; }
gossip_met_another() { gossip_members | grep -qvx "$(hostname)"; }
