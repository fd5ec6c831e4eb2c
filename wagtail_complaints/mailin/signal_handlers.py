"""The e-mail intake follows the core's privacy events: its copies of a message go with the complaint's data."""

from django.dispatch import receiver

from ..signals import personal_data_removed
from .models import IncomingEmail


@receiver(personal_data_removed)
def remove_original_messages(sender, complaint, **kwargs):
    # The Message-ID stays, so the same message fetched again is still known and skipped.
    for incoming in IncomingEmail.objects.filter(complaint=complaint):
        if incoming.original:
            incoming.original.delete(save=False)
        incoming.original = ""
        incoming.sender = ""
        incoming.subject = ""
        incoming.save(update_fields=["original", "sender", "subject"])
