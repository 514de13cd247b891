#!/usr/bin/env bash
# Backup of the database and the media (issue 15 item 5). How to run, schedule and keep backups:
# docs/backups.md.
#
#   scripts/backup.sh            (or: make backup)
#
# Environment (each falls back to the project's .env, then to the default):
#   DATABASE_URL   the PostgreSQL database to dump (required: postgres://user:pass@host:port/name)
#   MEDIA_ROOT     the evidence files' directory (default: ./media)
#   BACKUP_ROOT    where the timestamped backups go (default: ./var/backups)
#   BACKUP_KEEP    how many backups to keep in BACKUP_ROOT; older ones are deleted (default 14,
#                  0 keeps them all)
#   PYTHON         a Python 3 for the manifest (default: python3; standard library only)
#
# Writes BACKUP_ROOT/<YYYYmmdd-HHMMSS>/ with
#   db.dump        pg_dump -Fc of DATABASE_URL
#   media.tar      a tar of MEDIA_ROOT
#   manifest.json  case count, evidence count and the SHA-256 of each evidence file (as in
#                  media.tar), read from the dump and the tar themselves, so they agree
#   SHA256SUMS     checksums of the three files above (sha256sum -c)
# The directory appears only when complete (it is written as <name>.parcial and renamed).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PYTHON=${PYTHON:-python3}

die() {
    printf 'Error: %s\n' "$*" >&2
    exit 1
}

# The value of KEY in ./.env, if any (KEY=value, optionally quoted or after "export").
dotenv() {
    [ -f .env ] || return 0
    sed -n -E "s/^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=[[:space:]]*//p" .env |
        tail -n 1 | sed -E -e 's/^"(.*)"$/\1/' -e "s/^'(.*)'\$/\\1/"
}

DATABASE_URL=${DATABASE_URL:-$(dotenv DATABASE_URL)}
MEDIA_ROOT=${MEDIA_ROOT:-$(dotenv MEDIA_ROOT)}
MEDIA_ROOT=${MEDIA_ROOT:-$root/media}
BACKUP_ROOT=${BACKUP_ROOT:-$root/var/backups}
BACKUP_KEEP=${BACKUP_KEEP:-14}

case "$DATABASE_URL" in
postgres://* | postgresql://*) pg_url=$DATABASE_URL ;;
pgsql://* | psql://*) pg_url="postgresql://${DATABASE_URL#*://}" ;;
"") die "falta DATABASE_URL (la base PostgreSQL que se respalda)." ;;
*) die "el respaldo necesita PostgreSQL: DATABASE_URL no es postgres://… (la base SQLite" \
    "de la demostración se respalda copiando db.sqlite3)." ;;
esac
case "$BACKUP_KEEP" in
'' | *[!0-9]*) die "BACKUP_KEEP debe ser un número entero (0 conserva todos los respaldos)." ;;
esac
for tool in pg_dump pg_restore tar sha256sum "$PYTHON"; do
    command -v "$tool" >/dev/null 2>&1 || die "no se encuentra el programa $tool."
done

umask 077 # the backup holds personal data
mkdir -p "$BACKUP_ROOT"
stamp=$(date +%Y%m%d-%H%M%S)
dest="$BACKUP_ROOT/$stamp"
n=1 # a second backup within the same second: <stamp>-01, -02… (still sorted by age)
while [ -e "$dest" ] || [ -e "$dest.parcial" ]; do
    dest="$BACKUP_ROOT/$stamp-$(printf %02d "$n")"
    n=$((n + 1))
done
work="$dest.parcial"
mkdir "$work"
trap 'rm -rf "$work"' EXIT

started=$(date +%s)
echo "Respaldando la base de datos (pg_dump -Fc)…"
pg_dump --format=custom --file="$work/db.dump" "$pg_url" ||
    die "pg_dump no pudo respaldar la base de datos."

echo "Respaldando los archivos de $MEDIA_ROOT…"
if [ -d "$MEDIA_ROOT" ]; then
    tar -C "$MEDIA_ROOT" -cf "$work/media.tar" . || die "tar no pudo respaldar $MEDIA_ROOT."
else
    echo "Aviso: $MEDIA_ROOT no existe; el respaldo de archivos queda vacío." >&2
    tar -cf "$work/media.tar" -T /dev/null
fi

echo "Escribiendo el manifiesto…"
pg_restore --data-only --table=core_case --table=core_evidence --file="$work/data.sql" \
    "$work/db.dump" || die "pg_restore no pudo leer el respaldo recién hecho."
"$PYTHON" - "$work" "$pg_url" "$MEDIA_ROOT" "$(pg_dump --version)" <<'PY'
import datetime as dt
import hashlib
import json
import sys
import tarfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

work, url, media_root, pg_dump_version = Path(sys.argv[1]), *sys.argv[2:]
ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def copy_field(text):
    """A field of PostgreSQL's COPY text format (None for \\N)."""
    if text == "\\N":
        return None
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def copy_tables(path):
    """{table: (columns, rows)} of the COPY blocks of a pg_restore --data-only script."""
    tables, current = {}, None
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if current is None:
                if line.startswith("COPY ") and line.endswith(" FROM stdin;"):
                    name = line.split()[1].split(".")[-1].strip('"')
                    columns = line[line.index("(") + 1 : line.rindex(")")].split(", ")
                    current = tables[name] = ([c.strip('"') for c in columns], [])
            elif line == "\\.":
                current = None
            else:
                current[1].append([copy_field(f) for f in line.split("\t")])
    return tables


def sha256_of(stream):
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


tables = copy_tables(work / "data.sql")
(work / "data.sql").unlink()
if "core_case" not in tables or "core_evidence" not in tables:
    sys.exit("Error: el respaldo no tiene las tablas core_case y core_evidence (¿sin migrar?).")
case_rows = tables["core_case"][1]
columns, evidence_rows = tables["core_evidence"]
col = {name: i for i, name in enumerate(columns)}

media = {}
with tarfile.open(work / "media.tar") as archive:
    for member in archive:
        if member.isfile():
            media[member.name.removeprefix("./")] = sha256_of(archive.extractfile(member))

evidence, absent, altered = [], [], []
for row in sorted(evidence_rows, key=lambda r: int(r[col["id"]])):
    pk, name, db_sha = int(row[col["id"]]), row[col["file"]] or "", row[col["sha256"]]
    file_sha = media.get(name)
    evidence.append({"id": pk, "file": name, "sha256": db_sha, "file_sha256": file_sha})
    if file_sha is None:
        absent.append(pk)
    elif file_sha != db_sha:
        altered.append(pk)

parts = urlsplit(url)
manifest = {
    "format": 1,
    "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    "source": {
        "database": unquote(parts.path.lstrip("/")),
        "host": parts.hostname or "",
        "port": parts.port or 5432,
        "media_root": media_root,
        "pg_dump": pg_dump_version,
    },
    "cases": len(case_rows),
    "evidence": len(evidence),
    "evidence_files": sum(1 for e in evidence if e["file_sha256"]),
    "evidence_without_file": absent,
    "evidence_altered_at_source": altered,
    "media_files": media,
    "evidence_rows": evidence,
}
(work / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
if absent:
    print(
        f"Aviso: {len(absent)} evidencias sin archivo en {media_root} (purgadas por la "
        f"retención o perdidas): {', '.join(map(str, absent[:20]))}"
        f"{' …' if len(absent) > 20 else ''}",
        file=sys.stderr,
    )
if altered:
    print(
        f"Aviso: {len(altered)} archivos ya no coinciden con el SHA-256 con que se cargaron: "
        f"evidencias {', '.join(map(str, altered[:20]))}",
        file=sys.stderr,
    )
print(
    f"Manifiesto: {manifest['cases']} casos, {manifest['evidence']} evidencias, "
    f"{manifest['evidence_files']} archivos de evidencia ({len(media)} archivos en total)."
)
PY

(cd "$work" && sha256sum db.dump media.tar manifest.json >SHA256SUMS)
mv "$work" "$dest"
trap - EXIT

if [ "$BACKUP_KEEP" -gt 0 ]; then
    # Only complete backups of this script count (a timestamped directory with a manifest).
    find "$BACKUP_ROOT" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*-[0-9]*' \
        ! -name '*.parcial' -exec test -f '{}/manifest.json' ';' -print |
        sort -r | tail -n +"$((BACKUP_KEEP + 1))" |
        while IFS= read -r old; do
            echo "Eliminando el respaldo antiguo $old (se conservan $BACKUP_KEEP)."
            rm -rf -- "$old"
        done
fi

size=$(du -sh "$dest" | cut -f1)
echo "Respaldo completo en $(($(date +%s) - started)) s ($size)."
echo "Respaldo: $dest"
