#!/bin/sh
# Runs once, when the PostgreSQL volume is empty: one database and role for Prefect, one for nianbao.
# The passwords never pass through the shell or the SQL text: psql reads them from the
# environment (\getenv) and quotes them itself (:'var' for a literal, :"var" for a name), so a
# password with quotes, spaces, $ or ; is stored as typed. Role names default to prefect/nianbao.
set -eu
: "${PREFECT_DB_PASSWORD:?set PREFECT_DB_PASSWORD}" "${NIANBAO_DB_PASSWORD:?set NIANBAO_DB_PASSWORD}"
export PREFECT_DB_USER="${PREFECT_DB_USER:-prefect}" NIANBAO_DB_USER="${NIANBAO_DB_USER:-nianbao}"
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres <<'SQL'
\getenv prefect_user PREFECT_DB_USER
\getenv prefect_password PREFECT_DB_PASSWORD
\getenv nianbao_user NIANBAO_DB_USER
\getenv nianbao_password NIANBAO_DB_PASSWORD
CREATE ROLE :"prefect_user" LOGIN PASSWORD :'prefect_password';
CREATE DATABASE :"prefect_user" OWNER :"prefect_user";
CREATE ROLE :"nianbao_user" LOGIN PASSWORD :'nianbao_password';
CREATE DATABASE :"nianbao_user" OWNER :"nianbao_user";
SQL
