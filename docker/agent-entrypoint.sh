#!/bin/sh
# Entrypoint of the agent-compose image. The agent itself always runs as uid 1000.
#
# The install manifest starts the container as root for two things only a privileged process can do,
# then drops to uid 1000 for good (no capabilities, no new privileges):
#  - the state directory is a host bind mount that Docker creates root-owned: hand it to the agent;
#  - the Docker socket's group differs from host to host: join whichever group owns it here.
# Started as any other user, it just runs the command.
set -eu

if [ "$(id -u)" != 0 ]; then
  exec "$@"
fi

uid=1000
state_dir="${FLOTILLA_STATE_DIR:-/var/lib/flotilla-agent}"
mkdir -p "$state_dir"
chown -R "$uid:$uid" "$state_dir"

groups="$uid"
socket="${DOCKER_HOST:-unix:///var/run/docker.sock}"
socket="${socket#unix://}"
if [ -S "$socket" ]; then
  groups="$uid,$(stat -c %g "$socket")"
else
  echo "flotilla-entrypoint: no Docker socket at $socket; mount /var/run/docker.sock" >&2
fi

# setpriv keeps the environment: give the agent (and the docker CLI's config) its own home.
HOME="$(getent passwd "$uid" | cut -d : -f 6)"
export HOME="${HOME:-$state_dir}"

exec setpriv --reuid="$uid" --regid="$uid" --groups="$groups" --inh-caps=-all --bounding-set=-all --no-new-privs -- "$@"
