"""pqr_digital's part of ``manage.py seed_demo`` (registered in ``PqrDigitalConfig.ready``)."""

from core.modalities import DemoContext


def seed(context: DemoContext) -> str:
    return "PQR digitales: sin datos de demostración todavía"
