"""The counter of served matching requests (PostgreSQL only): the round holding the matcher's
lock records the last request number it had seen when its pass began, so a trigger that waited
for the lock and finds its number served returns without a pass of its own
(``balanceo.services.matcher``)."""

from django.db import migrations

SEQUENCE = "balanceo_match_served"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} MINVALUE 0 START 0")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("balanceo", "0004_match_requests_sequence"),
    ]

    operations = [migrations.RunPython(create, drop)]
