# needs: base
# Take away a file the program copied to the host (file-copied.sh); only its own, under /var/tmp.
# Settings: FILE.
: "${FILE:?}"
case "$FILE" in /var/tmp/multihost-*) rm -f -- "$FILE" ;; *) fail "not a file docker-multihost copies: $FILE" ;; esac
echo "no $FILE on $(hostname)"
