#!/bin/sh
# Prove a PostgreSQL backup restores: dump the database, restore the dump into a scratch
# database next to it, and compare every table's row count; then drop the scratch database.
#
#   scripts/backup_restore_check.sh [DATABASE_URL [DUMP_FILE]]
#
# DATABASE_URL defaults to $DATABASE_URL; DUMP_FILE (pg_dump's custom format) is kept, and
# defaults to a file under ${TMPDIR:-/tmp}. Prints "table original restored" per table, then
# one summary line; exits 1 if any count differs. Needs pg_dump, pg_restore and psql (the
# PostgreSQL client of the server's major version) and a role that may create databases.
# POSIX sh, so it also runs inside the compose file's db container (see docs/operations.md).
set -eu

source_url=${1:-${DATABASE_URL:?pass a postgres:// URL or set DATABASE_URL}}
dump=${2:-$(mktemp "${TMPDIR:-/tmp}/flux-backup.XXXXXX")}
case $source_url in
  *\?*) base=${source_url%%\?*} query="?${source_url#*\?}" ;;
  *) base=$source_url query="" ;;
esac
scratch="flux_restore_check_$$"
scratch_url="${base%/*}/$scratch$query"

counts() {
  # One exact count per table, in one query: "schema.table count", sorted bytewise for join.
  psql --no-psqlrc --quiet --tuples-only --no-align --field-separator=' ' --dbname "$1" \
    --command "SELECT format('%I.%I', schemaname, tablename),
                      (xpath('/row/n/text()', query_to_xml(
                        format('SELECT count(*) AS n FROM %I.%I', schemaname, tablename),
                        false, true, '')))[1]::text::bigint
               FROM pg_tables
               WHERE schemaname <> 'information_schema' AND schemaname NOT LIKE 'pg\_%'" \
    >"$2.unsorted"
  LC_ALL=C sort "$2.unsorted" >"$2"
  rm -f "$2.unsorted"
}

drop_scratch() {
  psql --no-psqlrc --quiet --dbname "$source_url" \
    --command "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true
}
trap drop_scratch EXIT

pg_dump --format=custom --no-owner --no-privileges --file "$dump" --dbname "$source_url"
psql --no-psqlrc --quiet --dbname "$source_url" --command "CREATE DATABASE $scratch" >/dev/null
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$scratch_url" "$dump"

original=$(mktemp) restored=$(mktemp)
counts "$source_url" "$original"
counts "$scratch_url" "$restored"
LC_ALL=C join -a 1 -a 2 -e missing -o 0,1.2,2.2 "$original" "$restored"
tables=$(wc -l <"$original" | tr -d ' ')
rows=$(awk '{ n += $2 } END { print n + 0 }' "$original")
if cmp -s "$original" "$restored"; then
  rm -f "$original" "$restored"
  echo "OK: $tables tables, $rows rows restored from $dump"
else
  rm -f "$original" "$restored"
  echo "MISMATCH: the restored row counts differ from the original's (dump kept at $dump)" >&2
  exit 1
fi
