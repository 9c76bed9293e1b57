"""Polku adapter for Open edX.

Forwards openedx-events signals and allow-listed tracking-log events to Polku
over gRPC (through a database outbox), deletes a retired learner's data in
Polku, and serves the learner dashboard's recommendations.
"""

__version__ = "0.1.0"
