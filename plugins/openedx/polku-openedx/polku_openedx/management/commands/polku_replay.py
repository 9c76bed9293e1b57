"""Moves dead-lettered rows back to the outbox, to be sent again.

    ./manage.py lms polku_replay --list          # what is dead-lettered, and why
    ./manage.py lms polku_replay --all
    ./manage.py lms polku_replay --id 12 --id 13
    ./manage.py lms polku_replay --event-type org.openedx.learning.course.enrollment.created.v1
    ./manage.py lms polku_replay --all --send    # and send them now
"""

from django.core.management.base import BaseCommand, CommandError

from polku_openedx import sender
from polku_openedx.models import DeadLetter
from polku_openedx.outbox import replay


class Command(BaseCommand):
    help = "Replay dead-lettered Polku rows (move them back to the outbox)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="list the dead letters and exit")
        parser.add_argument("--all", action="store_true", help="replay every dead letter")
        parser.add_argument("--id", type=int, action="append", default=[], help="a dead letter id")
        parser.add_argument("--event-type", default="", help="replay those of this event type")
        parser.add_argument("--send", action="store_true", help="send the outbox afterwards")

    def handle(self, *args, **options):
        if options["list"]:
            for dead in DeadLetter.objects.all():
                self.stdout.write("%d\t%s\t%s\t%d attempts\t%s" % (
                    dead.pk, dead.failed_at.isoformat(), dead.event_type, dead.attempts, dead.reason))
            return
        rows = DeadLetter.objects.all()
        if options["id"]:
            rows = rows.filter(pk__in=options["id"])
        if options["event_type"]:
            rows = rows.filter(event_type=options["event_type"])
        if not (options["all"] or options["id"] or options["event_type"]):
            raise CommandError("say which: --all, --id or --event-type (or --list)")
        count = replay(rows)
        self.stdout.write("Replayed %d dead letters." % count)
        if options["send"]:
            self.stdout.write("Polku outbox: %s" % sender.send_all_due())
