from django.db import migrations

# Spelled out rather than imported: a migration must not change when the code does.
ROLES = (
    "employee", "manager", "hr_officer", "payroll_officer",
    "it_agent", "kb_editor", "auditor", "admin",
)


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
