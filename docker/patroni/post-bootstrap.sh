#!/bin/sh
# Patroni runs this once, on the node that initialises the cluster, right after initdb
# ("bootstrap.post_bootstrap" in patroni.yml). Its only argument is a superuser
# connection string; the environment is the container's, so LAB_PASSWORD is set by
# docker-compose.yml.
set -eu

psql --no-psqlrc -v ON_ERROR_STOP=1 -v lab_password="${LAB_PASSWORD:-lab}" -d "$1" <<'SQL'
-- The application user of the labs (labkit.credentials: LABKIT_PG_USER / LABKIT_PG_PASSWORD).
CREATE ROLE lab LOGIN PASSWORD :'lab_password';
-- pg_monitor: lets labs read pg_stat_replication and the lag columns without superuser.
GRANT pg_monitor TO lab;
CREATE DATABASE lab OWNER lab;
SQL
