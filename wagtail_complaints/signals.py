"""Signals the core sends, so that features can follow what happens to a complaint without the core importing them."""

from django.dispatch import Signal

# Sent inside the transaction that removed a complaint's personal data (privacy/anonymise.py):
# features that keep copies of it (the e-mail intake's original messages) remove theirs too.
personal_data_removed = Signal()  # sender=Complaint, complaint=...
