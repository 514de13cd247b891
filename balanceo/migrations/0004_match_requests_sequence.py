"""The counter of requested matching rounds (PostgreSQL only): every trigger takes a number
before trying the matcher's lock, so the round that holds the lock knows it must look again
(``balanceo.services.matcher``). A sequence, because ``nextval`` never waits for a lock and is
not undone by a rollback."""

from django.db import migrations

SEQUENCE = "balanceo_match_requests"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("balanceo", "0003_seat_paused_reason"),
    ]

    operations = [migrations.RunPython(create, drop)]
