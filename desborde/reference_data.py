"""Reference data of the overflow modalities, loaded by a migration (and by tests after a flush)."""

POOLS = [
    ("desborde-metropolitano", "Desborde Unidad Canales Metropolitano", "metropolitano"),
    ("desborde-regional", "Desborde Unidad Canales Regional", "regional"),
]


def load_pools(apps) -> None:
    AssignmentPool = apps.get_model("core", "AssignmentPool")
    for code, name, unit in POOLS:
        AssignmentPool.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "batch_size": 2}
        )
