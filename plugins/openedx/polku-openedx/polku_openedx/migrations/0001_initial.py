"""The outbox and dead-letter tables."""

from django.db import migrations, models
import django.utils.timezone

OPERATIONS = [
    ("ingest", "Ingest an event"),
    ("delete_learner", "Delete a learner's data"),
    ("feedback", "Record recommendation feedback"),
    ("opt_out", "Set the profiling opt-out"),
]


def _common_fields():
    return [
        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
        ("operation", models.CharField(choices=OPERATIONS, max_length=32)),
        ("source_format", models.PositiveSmallIntegerField(default=0)),
        ("event_type", models.CharField(blank=True, default="", max_length=255)),
        ("payload", models.TextField()),
        ("enrichment", models.TextField(blank=True, default="")),
        ("user_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
        ("created", models.DateTimeField(default=django.utils.timezone.now)),
        ("attempts", models.PositiveIntegerField(default=0)),
    ]


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="OutboxItem",
            fields=_common_fields() + [
                ("next_attempt_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("last_error", models.TextField(blank=True, default="")),
            ],
            options={"ordering": ["id"]},
        ),
        migrations.CreateModel(
            name="DeadLetter",
            fields=_common_fields() + [
                ("failed_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("reason", models.TextField()),
            ],
            options={"ordering": ["id"]},
        ),
    ]
