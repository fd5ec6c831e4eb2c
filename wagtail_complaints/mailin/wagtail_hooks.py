from wagtail import hooks

from .viewsets import incoming_email_viewset


@hooks.register("register_admin_viewset")
def register_incoming_email_viewset():
    # "Incoming e-mails" in the Complaints menu, for complaint handlers.
    return incoming_email_viewset
