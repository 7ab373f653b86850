# needs: base record
# The engine's daemon.json is merged, never replaced: the stack adds or changes only its own keys
# (cluster-store, cluster-advertise, cluster-store-opts) and records what those keys held before
# and what it wrote. The undo puts back only the keys that still hold what it wrote, so the
# owner's keys, and edits made in between, stay. The merge is JSON, not text: jq where the host
# has it, else python3 (the two programs below do the same).
DAEMON_JSON=${DAEMON_JSON:-/etc/docker/daemon.json}
# Inputs: op (merge or undo), part (what to print), cur (the file's JSON), rec (the record, or
# null), want (the stack's keys), existed (whether the file was there before).
DAEMON_JSON_JQ='
def ours: with_entries(select(.key == "cluster-store" or .key == "cluster-advertise" or .key == "cluster-store-opts"));
($want + {"cluster-store-opts": (($cur["cluster-store-opts"] // {}) + ($want["cluster-store-opts"] // {}))}) as $w
| ($cur["cluster-store"] // null) as $held
| (if $op == "merge" then
     {config: ($cur + $w),
      record: (if $rec == null then {existed: $existed, before: ($cur | ours), wrote: $w} else ($rec + {wrote: $w}) end),
      foreign: (if $held != null and $held != $w["cluster-store"] and ($rec == null or $rec.wrote["cluster-store"] != $held)
                then $held else "" end)}
   else
     {config: (reduce ($rec.wrote | to_entries[]) as $e ($cur;
        if .[$e.key] == $e.value then (if ($rec.before | has($e.key)) then .[$e.key] = $rec.before[$e.key] else del(.[$e.key]) end)
        else . end)),
      record: $rec, foreign: ""}
   end) as $r
| if $part == "config" then $r.config
  elif $part == "record" then ($r.record | tojson)
  elif $part == "foreign" then $r.foreign
  elif $part == "changed" then (if $r.config == $cur then "no" else "yes" end)
  else ($r.config == {} and $r.record.existed == false | tostring) end'
DAEMON_JSON_PY='
import json, sys
op, part, cur, rec, want, existed = sys.argv[1], sys.argv[2], *map(json.loads, sys.argv[3:7])
ours = ("cluster-store", "cluster-advertise", "cluster-store-opts")
w = dict(want, **{"cluster-store-opts": {**cur.get("cluster-store-opts", {}), **want.get("cluster-store-opts", {})}})
held, foreign, config = cur.get("cluster-store"), "", dict(cur)
if op == "merge":
    config.update(w)
    if held is not None and held != w["cluster-store"] and (rec is None or rec["wrote"].get("cluster-store") != held):
        foreign = held
    rec = {"existed": existed, "before": {k: cur[k] for k in ours if k in cur}, "wrote": w} if rec is None else dict(rec, wrote=w)
else:
    for key, value in rec["wrote"].items():
        if config.get(key) == value:
            if key in rec["before"]:
                config[key] = rec["before"][key]
            else:
                del config[key]
print({"config": json.dumps(config, indent=2), "record": json.dumps(rec), "foreign": foreign,
       "changed": "yes" if config != cur else "no",
       "empty": "true" if config == {} and rec["existed"] is False else "false"}[part])'

# daemon_json OP PART CUR REC WANT EXISTED: one part of the merge's or the undo's answer.
daemon_json() {
  if command -v jq >/dev/null 2>&1; then
    jq -n -r --arg op "$1" --arg part "$2" --argjson cur "$3" --argjson rec "$4" --argjson want "$5" \
      --argjson existed "$6" "$DAEMON_JSON_JQ"
  elif command -v python3 >/dev/null 2>&1; then
    # Isolated (-I) and without site (-S): nothing of the owner's Python setup runs, only json.
    python3 -I -S -c "$DAEMON_JSON_PY" "$@"
  else
    fail "$(hostname) has neither jq nor python3 to merge its $DAEMON_JSON with (apt-get install jq)"
  fi
}

daemon_json_now() { if [ -s "$DAEMON_JSON" ]; then cat "$DAEMON_JSON"; else echo '{}'; fi; }

# write_daemon_json TEXT: the new file in place of the old at once, with the old one's mode.
write_daemon_json() {
  mkdir -p "${DAEMON_JSON%/*}"
  printf '%s\n' "$1" >"$DAEMON_JSON.multihost-new"
  if [ -e "$DAEMON_JSON" ]; then chmod "$(stat -c %a "$DAEMON_JSON")" "$DAEMON_JSON.multihost-new"; fi
  mv "$DAEMON_JSON.multihost-new" "$DAEMON_JSON"
}

# merge_daemon_json STORE ADVERTISE TLS_DIR: the stack's keys into daemon.json, the store reached
# with the TLS files in TLS_DIR (lib/tls.sh); prints yes when the file changed, no when it held them
# already. An engine on another cluster store is refused. The
# engine registers every discovery heartbeat (1 s; 20 s by default); the TTL must be given with
# it: by default it is 3 heartbeats, and Consul refuses sessions shorter than 10 s (libkv asks for
# half the TTL).
merge_daemon_json() {
  want=$(printf '{"cluster-store":"%s","cluster-advertise":"%s","cluster-store-opts":{"discovery.heartbeat":"1","discovery.ttl":"20","kv.cacertfile":"%s/ca.pem","kv.certfile":"%s/cert.pem","kv.keyfile":"%s/key.pem"}}' "$1" "$2" "$3" "$3" "$3")
  cur=$(daemon_json_now) existed=false
  [ -e "$DAEMON_JSON" ] && existed=true
  rec=$(recalled daemon.json) || rec=null
  foreign=$(daemon_json merge foreign "$cur" "$rec" "$want" "$existed")
  [ -z "$foreign" ] || fail "the engine on $(hostname) is on another cluster store ($foreign in $DAEMON_JSON), not this stack's ($1): it belongs to another cluster"
  # The record first: a run stopped in between leaves an undo with nothing to do, never a change without one.
  record daemon.json "$(daemon_json merge record "$cur" "$rec" "$want" "$existed")"
  changed=$(daemon_json merge changed "$cur" "$rec" "$want" "$existed")
  if [ "$changed" = yes ]; then write_daemon_json "$(daemon_json merge config "$cur" "$rec" "$want" "$existed")"; fi
  echo "$changed"
}

# undo_daemon_json: put back what the stack's keys held before, where they still hold what it
# wrote; prints yes when the file changed.
undo_daemon_json() {
  rec=$(recalled daemon.json) || { echo no; return 0; }
  cur=$(daemon_json_now)
  changed=$(daemon_json undo changed "$cur" "$rec" '{}' false)
  if [ "$changed" = yes ]; then
    if [ "$(daemon_json undo empty "$cur" "$rec" '{}' false)" = true ]; then rm -f "$DAEMON_JSON"
    else write_daemon_json "$(daemon_json undo config "$cur" "$rec" '{}' false)"; fi
  fi
  forget daemon.json
  echo "$changed"
}
