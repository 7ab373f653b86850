# needs: base
# A file the program copied to the host (an image archive) is there. Its delete, remove-file.sh,
# takes it away again.
# Settings: FILE.
: "${FILE:?}"
[ -r "$FILE" ] || fail "$FILE was copied to $(hostname) but is not there"
echo "$FILE on $(hostname)"
