"""2.8 step 2: every e-mail from the internal-client mailbox says that it takes no new requests
(the mailbox's footer, appended by core to each e-mail it sends)."""

from django.db import migrations

from cliente_interno import reference_data


def load(apps, schema_editor):
    reference_data.load_all(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cliente_interno", "0002_reference_data"),
        ("core", "0030_sender_mailbox_footer"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
