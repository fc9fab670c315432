#!/bin/sh
# Runs once, when the PostgreSQL volume is empty: one database and role for Prefect, one for nianbao.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE prefect LOGIN PASSWORD '${PREFECT_DB_PASSWORD}';
CREATE DATABASE prefect OWNER prefect;
CREATE ROLE nianbao LOGIN PASSWORD '${NIANBAO_DB_PASSWORD}';
CREATE DATABASE nianbao OWNER nianbao;
SQL
