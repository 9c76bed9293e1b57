"""Sends the Polku outbox: once (for cron), or in a loop (a periodic runner
for installations that do not use the Celery task).

    ./manage.py lms polku_send            # send what is due, then exit
    ./manage.py lms polku_send --loop     # every POLKU_SEND_INTERVAL_SECONDS
"""

import time

from django.core.management.base import BaseCommand

from polku_openedx import sender
from polku_openedx.conf import setting


class Command(BaseCommand):
    help = "Send the Polku outbox (retries with back-off; failures go to the dead-letter table)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true",
                            help="keep running, sending every --interval seconds")
        parser.add_argument("--interval", type=float, default=None,
                            help="seconds between runs (default POLKU_SEND_INTERVAL_SECONDS)")

    def handle(self, *args, **options):
        interval = options["interval"] or float(setting("POLKU_SEND_INTERVAL_SECONDS"))
        while True:
            report = sender.send_all_due()
            self.stdout.write("Polku outbox: %s" % report)
            if not options["loop"]:
                return
            time.sleep(interval)
