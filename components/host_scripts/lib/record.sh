# needs: base
# What the stack changes on a host, recorded there so that destroy undoes exactly that: one file
# per change in the stack's own folder (STACK_ID), holding what was there before. A machine the
# stack did not make is someone else's; nothing else of it is touched on the way out.
RECORD_ROOT=${RECORD_ROOT:-/var/lib/docker-multihost}
record_dir() { echo "$RECORD_ROOT/${STACK_ID:?}"; }
# remember NAME VALUE: record VALUE as NAME, unless NAME is recorded already (the first value is
# what the host had before the stack came).
remember() { mkdir -p "$(record_dir)" && { [ -e "$(record_dir)/$1" ] || printf '%s\n' "$2" >"$(record_dir)/$1"; }; }
# record NAME VALUE: record VALUE as NAME, in place of what was recorded.
record() { mkdir -p "$(record_dir)" && printf '%s\n' "$2" >"$(record_dir)/$1"; }
# recalled NAME: what is recorded as NAME; fails when nothing is.
recalled() { cat "$(record_dir)/$1" 2>/dev/null; }
# forget NAME: the change is undone; the stack's folder goes with its last record.
forget() {
  rm -f "$(record_dir)/$1"
  rmdir "$(record_dir)" 2>/dev/null && rmdir "$RECORD_ROOT" 2>/dev/null || true
}
