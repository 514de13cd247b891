#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh into a scratch database and a media directory, then
# verify it against its manifest (issue 15 item 5; docs/backups.md).
#
#   make restore BACKUP=var/backups/20260301-023000 TARGET_DATABASE_URL=postgres://…/scratch
#
# Environment:
#   BACKUP               the backup directory (with manifest.json)                      required
#   TARGET_DATABASE_URL  the database to restore into; it must exist and be empty       required
#   TARGET_MEDIA_ROOT    where the files go (default: ./var/restore/<backup name>/media); must be
#                        empty or missing
#   FORCE=1              allows restoring onto the DATABASE_URL in use (or its MEDIA_ROOT), into a
#                        database that is not empty (its objects are replaced) and into a media
#                        directory that is not empty
#   VERIFY_ONLY=1        restore nothing: verify an earlier restore in TARGET_DATABASE_URL and
#                        TARGET_MEDIA_ROOT against the manifest
#   DATABASE_URL, MEDIA_ROOT   the ones in use (environment, then .env): never overwritten without
#                        FORCE=1
#   PYTHON               a Python 3 for the checks (default: python3; standard library only)
#
# The verification: the restored database has the manifest's number of cases and of evidence,
# the same evidence rows (id, file, SHA-256), and every restored file has the SHA-256 the
# manifest recorded. Any difference: a Spanish message per difference and exit status 1.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PYTHON=${PYTHON:-python3}

die() {
    printf 'Error: %s\n' "$*" >&2
    exit 1
}

dotenv() {
    [ -f .env ] || return 0
    sed -n -E "s/^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=[[:space:]]*//p" .env |
        tail -n 1 | sed -E -e 's/^"(.*)"$/\1/' -e "s/^'(.*)'\$/\\1/"
}

libpq_url() {
    case "$1" in
    postgres://* | postgresql://*) printf '%s' "$1" ;;
    pgsql://* | psql://*) printf 'postgresql://%s' "${1#*://}" ;;
    *) return 1 ;;
    esac
}

BACKUP=${BACKUP:-}
TARGET_DATABASE_URL=${TARGET_DATABASE_URL:-}
FORCE=${FORCE:-0}
VERIFY_ONLY=${VERIFY_ONLY:-0}
DATABASE_URL=${DATABASE_URL:-$(dotenv DATABASE_URL)}
MEDIA_ROOT=${MEDIA_ROOT:-$(dotenv MEDIA_ROOT)}
MEDIA_ROOT=${MEDIA_ROOT:-$root/media}

[ -n "$BACKUP" ] || die "indique el respaldo: BACKUP=var/backups/<fecha-hora>."
[ -f "$BACKUP/manifest.json" ] || die "$BACKUP no es un respaldo (no tiene manifest.json)."
[ -n "$TARGET_DATABASE_URL" ] ||
    die "indique la base de destino: TARGET_DATABASE_URL=postgres://…/<base de prueba>."
target=$(libpq_url "$TARGET_DATABASE_URL") ||
    die "TARGET_DATABASE_URL debe ser una base PostgreSQL (postgres://…)."
TARGET_MEDIA_ROOT=${TARGET_MEDIA_ROOT:-$root/var/restore/$(basename "$BACKUP")/media}
for tool in psql pg_restore tar sha256sum "$PYTHON"; do
    command -v "$tool" >/dev/null 2>&1 || die "no se encuentra el programa $tool."
done

psql_value() {
    psql "$1" --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1 -c "$2"
}

# The same database, however it is spelled: the server's system identifier and the database
# name; when the server cannot be asked, the host, port and name of the URLs.
db_identity() {
    psql_value "$1" \
        "select system_identifier || '/' || current_database() from pg_control_system()" \
        2>/dev/null || "$PYTHON" - "$1" <<'PY'
import sys
from urllib.parse import unquote, urlsplit

parts = urlsplit(sys.argv[1])
host = parts.hostname or "localhost"
host = "localhost" if host in ("127.0.0.1", "::1", "localhost") else host
print(f"{host}:{parts.port or 5432}/{unquote(parts.path.lstrip('/'))}")
PY
}

target_id=$(db_identity "$target")
if [ "$FORCE" != 1 ]; then
    if live=$(libpq_url "$DATABASE_URL") && [ "$(db_identity "$live")" = "$target_id" ]; then
        die "TARGET_DATABASE_URL es la base en uso (DATABASE_URL): no se restaura sobre ella" \
            "sin FORCE=1. Restaure en una base de prueba."
    fi
    if [ "$(realpath -m "$TARGET_MEDIA_ROOT")" = "$(realpath -m "$MEDIA_ROOT")" ]; then
        die "TARGET_MEDIA_ROOT es el MEDIA_ROOT en uso: no se restaura sobre él sin FORCE=1."
    fi
fi

if [ "$VERIFY_ONLY" != 1 ]; then
    echo "Comprobando la integridad del respaldo…"
    (cd "$BACKUP" && sha256sum --check --quiet SHA256SUMS) ||
        die "el respaldo $BACKUP está dañado: sus archivos no coinciden con SHA256SUMS."

    psql_value "$target" "select 1" >/dev/null ||
        die "no se puede conectar con la base de destino (¿existe? créela con createdb)."
    tables=$(psql_value "$target" "select count(*) from pg_tables where schemaname = 'public'")
    clean=()
    if [ "$tables" != 0 ]; then
        [ "$FORCE" = 1 ] ||
            die "la base de destino no está vacía ($tables tablas): use una base nueva o FORCE=1."
        clean=(--clean --if-exists)
    fi
    if [ -n "$(ls -A "$TARGET_MEDIA_ROOT" 2>/dev/null)" ] && [ "$FORCE" != 1 ]; then
        die "el directorio $TARGET_MEDIA_ROOT no está vacío: use otro o FORCE=1."
    fi

    started=$(date +%s)
    echo "Restaurando la base de datos…"
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" \
        --dbname="$target" "$BACKUP/db.dump" ||
        die "pg_restore no pudo restaurar la base de datos (una sola transacción: no quedó" \
            "nada a medias)."
    echo "Restaurando los archivos en $TARGET_MEDIA_ROOT…"
    mkdir -p "$TARGET_MEDIA_ROOT"
    tar --no-same-owner -C "$TARGET_MEDIA_ROOT" -xf "$BACKUP/media.tar" ||
        die "tar no pudo restaurar los archivos."
    echo "Restaurado en $(($(date +%s) - started)) s."
fi

echo "Verificando contra el manifiesto…"
cases=$(psql_value "$target" "select count(*) from core_case") ||
    die "la base de destino no tiene la tabla de casos: la restauración no está completa."
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
psql "$target" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 \
    -c "\\copy (select id, file, sha256 from core_evidence order by id) to '$rows'" ||
    die "no se pudieron leer las evidencias restauradas."
"$PYTHON" - "$BACKUP/manifest.json" "$cases" "$rows" "$TARGET_MEDIA_ROOT" <<'PY'
import hashlib
import json
import sys
from pathlib import Path

manifest = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
cases, rows_path, media = int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
restored = {}
for line in rows_path.read_text(encoding="utf-8").splitlines():
    pk, name, sha = line.split("\t")
    restored[int(pk)] = (name, sha)

problems = []
if cases != manifest["cases"]:
    problems.append(
        f"casos: el manifiesto dice {manifest['cases']}, la base restaurada tiene {cases}."
    )
if len(restored) != manifest["evidence"]:
    problems.append(
        f"evidencias: el manifiesto dice {manifest['evidence']}, la base restaurada tiene "
        f"{len(restored)}."
    )
owner = {}
for row in manifest["evidence_rows"]:
    owner[row["file"]] = row["id"]
    got = restored.get(row["id"])
    if got is None:
        problems.append(f"falta la evidencia {row['id']} en la base restaurada.")
    elif got != (row["file"], row["sha256"]):
        problems.append(f"la evidencia {row['id']} restaurada no coincide con el manifiesto.")


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


checked = 0
for name, expected in sorted(manifest["media_files"].items()):
    label = f"el archivo {name}" + (f" (evidencia {owner[name]})" if name in owner else "")
    path = media / name
    if not path.is_file():
        problems.append(f"falta {label} en {media}.")
        continue
    got = sha256_of(path)
    checked += 1
    if got != expected:
        problems.append(
            f"{label} está alterado: SHA-256 esperado {expected}, obtenido {got}."
        )

if problems:
    count = f"{len(problems)} diferencia" + ("s" if len(problems) > 1 else "")
    print(f"Verificación FALLIDA ({count}):", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    sys.exit(1)
print(
    f"Verificación correcta: {cases} casos, {len(restored)} evidencias y {checked} archivos "
    "con el mismo SHA-256 que el respaldo."
)
PY
