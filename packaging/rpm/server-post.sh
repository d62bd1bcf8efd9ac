# pitchey-server (RPM): its own system user and state directory.
getent group pitchey >/dev/null || groupadd --system pitchey
getent passwd pitchey >/dev/null || useradd --system --gid pitchey --home-dir /var/lib/pitchey \
    --shell /sbin/nologin --comment "Pitchey Messenger server" pitchey
install -d -o pitchey -g pitchey -m 0750 /var/lib/pitchey
systemctl daemon-reload >/dev/null 2>&1 || :
