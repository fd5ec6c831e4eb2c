"""What an editor and an administrator do in a brand-new site, through the ORM.

Run inside the site: python manage.py shell < site_setup.py. Prints the form page's URL.
"""

from django.contrib.auth import get_user_model
from wagtail.models import Page

from wagtail_complaints.models import ComplaintFormPage, Operator

# The editor: a Complaint form page under the site's home page, published.
home = Page.objects.get(depth=2).specific
page = home.add_child(instance=ComplaintFormPage(title="Complaints office", slug="complaint-form"))
page.save_revision().publish()

# The administrator: one complaint handler (the role puts them in the right group).
handler = get_user_model().objects.create_user("handler", "handler@hospital.example", "handler-password")
Operator.objects.create(user=handler, role="handler")

print("FORM_URL=" + ComplaintFormPage.objects.get(pk=page.pk).url)
