#!/bin/sh
# A "host" for the SSH prototype that binds no port and changes nothing on this machine: Debian's
# sshd, unpacked (not installed) from its package, run per connection in inetd mode as the client's
# ProxyCommand, in a mount namespace of its own where /etc/passwd has the privilege-separation user
# sshd needs and /run is a fresh tmpfs. Needs root (unshare -m). Usage: sh fake-host.sh [FOLDER]
set -eu
H=${1:-/tmp/fakehost}
if [ ! -x /tmp/sshdpkg/root/usr/sbin/sshd ]; then
	mkdir -p /tmp/sshdpkg && cd /tmp/sshdpkg && apt-get download openssh-server && dpkg-deb -x openssh-server_*.deb root && cd - >/dev/null
fi
rm -rf "$H" && mkdir -p "$H" && cd "$H"
ssh-keygen -q -t ed25519 -N '' -f hostkey -C host
ssh-keygen -q -t ed25519 -N '' -f userkey -C user
cp userkey.pub authorized_keys && chmod 600 authorized_keys
cat > sshd_config <<CONF
HostKey $H/hostkey
AuthorizedKeysFile $H/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile none
LogLevel ERROR
CONF
cp /etc/passwd passwd && echo 'sshd:x:65534:65534:sshd privsep:/run/sshd:/usr/sbin/nologin' >> passwd
cat > sshd-inetd <<SCRIPT
#!/bin/sh
exec unshare -m sh -c 'mount --bind $H/passwd /etc/passwd && mount -t tmpfs tmpfs /run && mkdir /run/sshd && exec /tmp/sshdpkg/root/usr/sbin/sshd -i -f $H/sshd_config'
SCRIPT
chmod +x sshd-inetd
echo "fakehost $(cut -d' ' -f1,2 hostkey.pub)" > known_hosts
ssh -F none -o UserKnownHostsFile="$H/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes \
	-o IdentitiesOnly=yes -i "$H/userkey" -o ProxyCommand="$H/sshd-inetd" root@fakehost 'echo fake host answers as $(id -un)'
