#!/usr/bin/env bash
# Init script of the compose MySQL pair (the Aurora MySQL stand-in), mounted into
# /docker-entrypoint-initdb.d/ of both containers. The image runs it once, when the data
# directory is empty, against a temporary server started with the same options as the
# real one (gtid_mode=ON, server_id, ...) and reachable only through its socket.
#   LAB_MYSQL_ROLE=writer  creates the database `lab`, the user `lab` and the replication user
#   LAB_MYSQL_ROLE=reader  replicates from the writer with GTID auto-positioning, then turns
#                          read_only + super_read_only on
# The image may source this file instead of running it: no `exit`, no shell options changed.

lab_mysql() {
  MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=socket --socket="${SOCKET:-/var/run/mysqld/mysqld.sock}" \
    -uroot --batch
}

# A value for a single-quoted SQL string literal.
lab_sql_quote() {
  local value="$1"
  printf "%s" "${value//\'/\'\'}"
}

lab_init_writer() {
  echo "labkit: creating database lab, users lab and ${LAB_REPLICATION_USER}"
  # These statements go to the binary log with GTIDs: the reader replays them, so it gets
  # the same users and database through replication.
  lab_mysql <<SQL
CREATE DATABASE IF NOT EXISTS lab;
CREATE USER IF NOT EXISTS 'lab'@'%' IDENTIFIED BY '$(lab_sql_quote "$LAB_PASSWORD")';
GRANT ALL PRIVILEGES ON lab.* TO 'lab'@'%';
-- SHOW REPLICA STATUS / SHOW BINARY LOG STATUS, to measure replication lag (what
-- SLAVE MONITOR / BINLOG MONITOR give the lab user on the local MariaDB pair)
GRANT REPLICATION CLIENT ON *.* TO 'lab'@'%';
CREATE USER IF NOT EXISTS '${LAB_REPLICATION_USER}'@'%' IDENTIFIED BY '$(lab_sql_quote "$LAB_REPLICATION_PASSWORD")';
GRANT REPLICATION SLAVE ON *.* TO '${LAB_REPLICATION_USER}'@'%';
SQL
}

lab_init_reader() {
  echo "labkit: replicating from ${LAB_MYSQL_SOURCE_HOST}:${LAB_MYSQL_SOURCE_PORT}"
  # SOURCE_AUTO_POSITION=1: the replica asks for the GTIDs it lacks, no binlog file/position.
  # GET_SOURCE_PUBLIC_KEY=1: caching_sha2_password over a connection without TLS.
  # SOURCE_CONNECT_RETRY=1 / SOURCE_HEARTBEAT_PERIOD=1: notice a restarted writer within seconds.
  # read_only and super_read_only are persisted here, not given on the command line:
  # the image starts its temporary server with the same options, and under
  # super_read_only it could not set the root password.
  lab_mysql <<SQL
CHANGE REPLICATION SOURCE TO
  SOURCE_HOST='${LAB_MYSQL_SOURCE_HOST}',
  SOURCE_PORT=${LAB_MYSQL_SOURCE_PORT},
  SOURCE_USER='${LAB_REPLICATION_USER}',
  SOURCE_PASSWORD='$(lab_sql_quote "$LAB_REPLICATION_PASSWORD")',
  SOURCE_AUTO_POSITION=1,
  GET_SOURCE_PUBLIC_KEY=1,
  SOURCE_CONNECT_RETRY=1,
  SOURCE_RETRY_COUNT=86400,
  SOURCE_HEARTBEAT_PERIOD=1;
START REPLICA;
SET PERSIST read_only = ON;
SET PERSIST super_read_only = ON;
SQL
}

: "${LAB_PASSWORD:=lab}"
: "${LAB_REPLICATION_USER:=replicator}"
: "${LAB_REPLICATION_PASSWORD:=replicator}"
: "${LAB_MYSQL_SOURCE_HOST:=mysql-writer}"
: "${LAB_MYSQL_SOURCE_PORT:=13306}"

case "${LAB_MYSQL_ROLE:-}" in
  writer) lab_init_writer ;;
  reader) lab_init_reader ;;
  *) echo "labkit: LAB_MYSQL_ROLE must be writer or reader, not '${LAB_MYSQL_ROLE:-}'" >&2; false ;;
esac
