"""WA-04: the print queue is core's (``core.PrintJob``); its rows were copied there by 0005."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("desborde", "0005_move_print_jobs_to_core"),
    ]

    operations = [
        migrations.DeleteModel(name="HistoricalPrintJob"),
        migrations.DeleteModel(name="PrintJob"),
    ]
