"""One group per SPEC role, with its model permissions (core.roles.ROLE_PERMISSIONS)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from core.roles import ROLE_PERMISSIONS


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        perms = Permission.objects.filter(content_type__app_label="core", codename__in=codenames)
        group.permissions.set(perms)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_catalogue"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
