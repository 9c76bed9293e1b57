"""Django admin: the outbox and the dead-letter table, with a replay action."""

from django.contrib import admin, messages

from .models import DeadLetter, OutboxItem
from .outbox import replay


@admin.register(OutboxItem)
class OutboxItemAdmin(admin.ModelAdmin):
    list_display = ("id", "operation", "event_type", "attempts", "next_attempt_at", "last_error")
    list_filter = ("operation", "event_type")
    readonly_fields = [f.name for f in OutboxItem._meta.fields]


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ("id", "operation", "event_type", "attempts", "failed_at", "reason")
    list_filter = ("operation", "event_type")
    readonly_fields = [f.name for f in DeadLetter._meta.fields]
    actions = ["replay_selected"]

    @admin.action(description="Replay: move back to the outbox")
    def replay_selected(self, request, queryset):
        count = replay(queryset)
        self.message_user(request, "%d rows moved back to the outbox." % count, messages.SUCCESS)
