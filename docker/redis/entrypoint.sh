#!/bin/sh
# Entrypoint of the Redis nodes and Sentinels of the compose stack.
#   entrypoint.sh node|sentinel [extra redis-server arguments]
# Environment: REDIS_PORT (required), REDIS_REPLICAOF="host port" (replicas only);
# REDIS_LAB_PASSWORD and REDIS_ADMIN_PASSWORD (required): the passwords of the users `lab`
# and `labkit-admin`, as labkit.services.redis_users sets them up for `labkit up`;
# REDIS_TEMPLATE_DIR and REDIS_DATA_DIR move the two folders (tests/test_compose.py runs
# this script outside a container).
#
# On the first start the template /etc/labkit-redis/<kind>.conf is copied to /data, a
# volume, because Sentinel (always) and Redis (after a failover) rewrite their own
# configuration file. Later starts keep that copy, so a restarted node or Sentinel comes
# back with what it last knew instead of the initial topology.
set -eu

kind="$1"
shift
case "$kind" in
  node | sentinel) ;;
  *) echo "usage: $0 node|sentinel [redis-server arguments]" >&2; exit 2 ;;
esac

templates="${REDIS_TEMPLATE_DIR:-/etc/labkit-redis}"
conf="${REDIS_DATA_DIR:-/data}/$kind.conf"
if [ ! -f "$conf" ]; then
  sed "s/@PORT@/${REDIS_PORT:?REDIS_PORT is not set}/" "$templates/$kind.conf" > "$conf"
  if [ "$kind" = node ] && [ -n "${REDIS_REPLICAOF:-}" ]; then
    echo "replicaof $REDIS_REPLICAOF" >> "$conf"
  fi
fi

# The logins, written anew at every start (the passwords may have changed): the nodes'
# users, `default` off, the login a replica gives its primary, and the one Sentinel gives
# the nodes. The Sentinels' own port asks for none.
admin_password="${REDIS_ADMIN_PASSWORD:?REDIS_ADMIN_PASSWORD is not set}"
if [ "$kind" = node ]; then
  lab_password="${REDIS_LAB_PASSWORD:?REDIS_LAB_PASSWORD is not set}"
  sed -i -e '/^user /d' -e '/^masteruser /d' -e '/^masterauth /d' "$conf"
  cat >> "$conf" <<LOGINS
user default reset off resetkeys resetchannels -@all
user lab reset on >$lab_password ~lab* ~book-* &* +@all -@dangerous +info +config|get +role
user labkit-admin reset on >$admin_password ~* &* +@all
masteruser labkit-admin
masterauth $admin_password
LOGINS
else
  sed -i -e '/^sentinel auth-/d' "$conf"
  printf 'sentinel auth-user cache labkit-admin\nsentinel auth-pass cache %s\n' "$admin_password" >> "$conf"
  set -- --sentinel "$@"
fi
# The image's own entrypoint hands /data to the redis user and drops root.
exec docker-entrypoint.sh redis-server "$conf" "$@"
