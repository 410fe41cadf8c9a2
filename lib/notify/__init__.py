"""Notifications (issue 15): an outbox filled by a sweeper from the inbox providers, sent to 企业微信, 钉钉 and
e-mail. ``start_background()`` is called once where the app's Engine is made (``lib.ui``);
``python -m lib.notify --once`` runs one sweep for cron."""

from lib.notify.worker import start_background

__all__ = ["start_background"]
