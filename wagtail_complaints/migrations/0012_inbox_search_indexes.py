"""Indexes for the inbox: full-text search (PostgreSQL only) and the "overdue" / "due soon" filters;
and when a worker last claimed an outbox e-mail, so that one a killed worker left is sent again."""

from django.db import migrations, models


class PostgreSQLSearchIndex(migrations.operations.base.Operation):
    """A GIN index over the inbox's search expression, on PostgreSQL; nothing elsewhere.

    Kept out of the model's Meta (and so out of the migration state) because SQLite has no GIN.
    """

    reduces_to_sql = False
    reversible = True

    def __init__(self, name, fields):
        self.name = name
        self.fields = fields

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        from django.contrib.postgres.indexes import GinIndex

        from wagtail_complaints.inbox_search import search_vector

        model = to_state.apps.get_model(app_label, "Complaint")
        schema_editor.add_index(model, GinIndex(search_vector(self.fields), name=self.name))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self):
        return f"Full-text search index {self.name} (PostgreSQL only)"

    def deconstruct(self):
        return (self.__class__.__name__, [], {"name": self.name, "fields": self.fields})


class Migration(migrations.Migration):

    dependencies = [
        ("wagtail_complaints", "0010_to_be_classified_reply_address"),
    ]

    operations = [
        migrations.AddField(
            model_name="email",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last attempt started"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "taken_in_charge", "awaiting_reply"])),
                fields=["answer_by"],
                name="complaint_open_due",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "taken_in_charge", "awaiting_reply"])),
                fields=["received_at", "answer_by"],
                name="complaint_open_received",
            ),
        ),
        PostgreSQLSearchIndex("complaint_search_handler", ["reference", "first_name", "last_name", "description"]),
        PostgreSQLSearchIndex("complaint_search_viewer", ["reference"]),
    ]
