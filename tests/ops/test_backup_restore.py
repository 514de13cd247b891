"""Issue 15 item 5: `make backup` / `make restore` (scripts/backup.sh, scripts/restore.sh).

The source is this session's test database (committed rows: transactional tests) and its media;
the target a scratch database created for the test (``scratch_f3_…``, createdb/dropdb as the
postgres user) and a media directory of its own. The restore is checked by the script against
the manifest (case and evidence counts, each file's SHA-256) and, here, independently.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.models import Case, Evidence, EvidenceKind
from core.services import retention
from core.services.evidence import evidence_attach
from tests.factories import make_case
from tests.helpers import MP3, PDF, skip_or_fail

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("pg_dump", "pg_restore", "psql", "createdb", "dropdb", "tar", "sha256sum")


def db_url(name: str, *, host: str | None = None) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{host or db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432)}
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def run(script: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", f"scripts/{script}"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def tools(postgres):
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        skip_or_fail(f"faltan los programas {', '.join(missing)}")


@pytest.fixture
def scratch_db(tools):
    """An empty database for the restore, dropped afterwards."""
    name = f"scratch_f3_{uuid.uuid4().hex[:10]}"
    subprocess.run(["createdb", "-U", "postgres", name], env=pg_env(), check=True, timeout=60)
    yield db_url(name)
    subprocess.run(
        ["dropdb", "-U", "postgres", "--if-exists", "--force", name],
        env=pg_env(),
        check=True,
        timeout=60,
    )


@pytest.fixture
def source(tools, settings, tecnologo, tmp_path):
    """Three cases with evidence in the test database (committed) and in MEDIA_ROOT: a call
    recording, a PDF, and an old recording purged by the retention job (row kept, no file)."""
    cases = [make_case(assigned_to=tecnologo) for _ in range(3)]
    evidence = [
        evidence_attach(
            case=case,
            kind=kind,
            upload=SimpleUploadedFile(name, content),
            uploaded_by=tecnologo,
        )
        for case, kind, name, content in [
            (cases[0], EvidenceKind.CALL_RECORDING, "llamada.mp3", MP3),
            (cases[1], EvidenceKind.SIGNED_SCAN, "firmado.pdf", PDF),
            (cases[2], EvidenceKind.VOICEMAIL_RECORDING, "buzon.mp3", MP3 + b"\x01"),
        ]
    ]
    purged = evidence[2]
    purged.uploaded_at -= dt.timedelta(days=400)
    purged.save(update_fields=["uploaded_at"])
    settings.RETENTION_ACTION = "purge"
    assert retention.recordings_retention_run().evidence_count == 1
    return {
        "url": db_url(connection.settings_dict["NAME"]),
        "media": Path(settings.MEDIA_ROOT),
        "evidence": evidence,
        "purged": purged,
        "backups": tmp_path / "backups",
    }


def backup(source, **env) -> Path:
    done = run(
        "backup.sh",
        DATABASE_URL=source["url"],
        MEDIA_ROOT=str(source["media"]),
        BACKUP_ROOT=str(source["backups"]),
        **env,
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("Respaldo: ")
    return Path(last.removeprefix("Respaldo: "))


def test_backup_then_restore_on_a_scratch_database_verifies_counts_and_checksums(
    source, scratch_db, tmp_path
):
    folder = backup(source)
    manifest = json.loads((folder / "manifest.json").read_text())
    restored_media = tmp_path / "restaurado"

    done = run(
        "restore.sh",
        BACKUP=str(folder),
        TARGET_DATABASE_URL=scratch_db,
        TARGET_MEDIA_ROOT=str(restored_media),
        DATABASE_URL=source["url"],
        MEDIA_ROOT=str(source["media"]),
    )

    cases, evidence = Case.objects.count(), Evidence.objects.count()
    kept = [e for e in source["evidence"] if e != source["purged"]]
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "db.dump",
        "manifest.json",
        "media.tar",
    ]
    assert (manifest["cases"], manifest["evidence"]) == (cases, evidence)
    files = {row["id"]: row["file_sha256"] for row in manifest["evidence_rows"]}
    assert all(files[e.pk] == e.sha256 for e in kept)
    assert files[source["purged"].pk] is None
    assert manifest["evidence_without_file"] == [source["purged"].pk]
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == (
        f"Verificación correcta: {cases} casos, {evidence} evidencias y {len(kept)} archivos "
        "con el mismo SHA-256 que el respaldo."
    )
    # Checked here too, without the script: the rows in the scratch database, the bytes on disk.
    with psycopg.connect(scratch_db) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from core_case")
        assert cur.fetchone()[0] == cases
        cur.execute("select id, sha256 from core_evidence order by id")
        assert cur.fetchall() == list(Evidence.objects.order_by("id").values_list("id", "sha256"))
    conn.close()
    assert all(sha256(restored_media / e.file.name) == e.sha256 for e in kept)

    # A restored file altered afterwards: the verification fails, in Spanish, naming it.
    altered = kept[0]
    target = restored_media / altered.file.name
    target.write_bytes(target.read_bytes() + b"corrupto")
    (restored_media / kept[1].file.name).unlink()
    check = run(
        "restore.sh",
        VERIFY_ONLY="1",
        BACKUP=str(folder),
        TARGET_DATABASE_URL=scratch_db,
        TARGET_MEDIA_ROOT=str(restored_media),
        DATABASE_URL=source["url"],
    )

    problems = {  # the script lists them in the order of the files' names
        altered.file.name: f"  - el archivo {altered.file.name} (evidencia {altered.pk}) está "
        f"alterado: SHA-256 esperado {altered.sha256}, obtenido {sha256(target)}.",
        kept[1].file.name: f"  - falta el archivo {kept[1].file.name} (evidencia {kept[1].pk}) "
        f"en {restored_media}.",
    }
    assert check.returncode == 1
    assert check.stderr.splitlines() == [
        "Verificación FALLIDA (2 diferencias):",
        *(problems[name] for name in sorted(problems)),
    ]


def test_restore_refuses_the_live_database_and_a_damaged_backup_and_old_backups_go(
    source, tools, tmp_path
):
    """Onto the DATABASE_URL in use (spelled with another host name) only with FORCE=1; a backup
    whose files do not match SHA256SUMS is not restored at all; BACKUP_KEEP=2 keeps the newest
    two backups."""
    first, second, folder = (backup(source, BACKUP_KEEP="2") for _ in range(3))
    cases = Case.objects.count()

    onto_live = run(
        "restore.sh",
        BACKUP=str(folder),
        TARGET_DATABASE_URL=db_url(connection.settings_dict["NAME"], host="localhost"),
        TARGET_MEDIA_ROOT=str(tmp_path / "a"),
        DATABASE_URL=source["url"],
    )
    with (folder / "db.dump").open("r+b") as dump:
        dump.seek(-10, os.SEEK_END)
        dump.write(b"\x00" * 10)
    damaged = run(
        "restore.sh",
        BACKUP=str(folder),
        TARGET_DATABASE_URL=db_url(f"scratch_f3_{uuid.uuid4().hex[:10]}"),
        TARGET_MEDIA_ROOT=str(tmp_path / "b"),
        DATABASE_URL=source["url"],
    )

    assert sorted(source["backups"].iterdir()) == sorted([second, folder])
    assert not first.exists()
    assert onto_live.returncode == 1
    assert onto_live.stderr.strip() == (
        "Error: TARGET_DATABASE_URL es la base en uso (DATABASE_URL): no se restaura sobre ella "
        "sin FORCE=1. Restaure en una base de prueba."
    )
    assert Case.objects.count() == cases
    assert not (tmp_path / "a").exists()
    assert damaged.returncode == 1
    assert damaged.stderr.strip().splitlines()[-1] == (
        f"Error: el respaldo {folder} está dañado: sus archivos no coinciden con SHA256SUMS."
    )
    assert not (tmp_path / "b").exists()
