"""A complaint, its thread of messages, its attachments, and the numbering of references."""

import datetime
import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import connections, models, router
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from ..conf import private_root
from ..workflow import OPEN_STATES, ComplaintWorkflow


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail or PEC")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("By e-mail")
    PHONE = "phone", _("By phone")


class Outcome(models.TextChoices):
    # Stable codes: statistics and exports rely on them.
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOT_COMPETENT = "not_competent", _("Not within competence (forwarded)")


class PersonalDataRemoval(models.TextChoices):
    RETENTION = "retention", _("under the retention policy")
    REQUEST = "request", _("at the complainant's request")


class ReferenceCounter(models.Model):
    """The last complaint number given in a year under one reference prefix.

    Each hospital has its own prefix (ComplaintSettings.reference_prefix), so each runs its own
    count; counting per prefix rather than per site keeps references unique across the
    installation even when two sites are given the same prefix. The row lock serialises
    concurrent filings under that prefix.
    """

    prefix = models.CharField(max_length=10, blank=True, default="")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="complaint_reference_counter")]

    def __str__(self):
        return f"{self.prefix}{self.year}: {self.last_number}"

    @classmethod
    def next_number(cls, year, prefix=""):
        """Call inside the transaction that saves the complaint: the row stays locked until it commits."""
        number = cls._increment(prefix, year)
        if number is None:
            # The first complaint of the year under this prefix; numbers already used (a prefix
            # given back to a site, references imported) are never given again.
            cls.objects.get_or_create(prefix=prefix, year=year, defaults={"last_number": cls.highest_used(prefix, year)})
            number = cls._increment(prefix, year)
        return number

    @staticmethod
    def highest_used(prefix, year):
        reference = (
            Complaint.objects.filter(reference__startswith=f"{prefix}{year}-", reference__regex=r"-[0-9]+$")
            .order_by("-reference")
            .values_list("reference", flat=True)
            .first()
        )
        return int(reference.rsplit("-", 1)[1]) if reference else 0

    @classmethod
    def _increment(cls, prefix, year):
        """The incremented number, or None when the prefix has no row for the year yet."""
        connection = connections[router.db_for_write(cls)]
        if connection.vendor in ("postgresql", "sqlite"):
            # One round trip instead of two on the databases that have UPDATE ... RETURNING.
            table = connection.ops.quote_name(cls._meta.db_table)
            with connection.cursor() as cursor:
                # The only interpolation is our own model's table name, quoted; prefix and year are parameters.
                sql = f"UPDATE {table} SET last_number = last_number + 1 WHERE prefix = %s AND year = %s RETURNING last_number"  # nosec B608
                cursor.execute(sql, [prefix, year])
                row = cursor.fetchone()
            return row[0] if row else None
        if not cls.objects.filter(prefix=prefix, year=year).update(last_number=F("last_number") + 1):
            return None
        return cls.objects.values_list("last_number", flat=True).get(prefix=prefix, year=year)


class ComplaintQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATES)

    def overdue(self, today=None):
        # A duplicate waits for its original: its own date is not the one the office keeps.
        return self.open().filter(answer_by__lt=today or timezone.localdate(), duplicate_of__isnull=True)

    def counted(self):
        """The complaints statistics count: a duplicate is the same complaint once more."""
        return self.filter(duplicate_of__isnull=True)

    def for_access_token(self, token):
        """The complaint a private-link token opens, or an empty queryset."""
        if not token or len(token) > 100:
            return self.none()
        return self.filter(access_token_hash=Complaint.hash_token(token))


class Complaint(ComplaintWorkflow):
    reference = models.CharField(_("reference"), max_length=40, unique=True, editable=False)
    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("form page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)

    # What it is about
    category = models.ForeignKey(
        "wagtail_complaints.Category",
        verbose_name=_("nature of the complaint"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    service = models.ForeignKey(
        "wagtail_complaints.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    description = models.TextField(_("what happened"))
    event_date = models.DateField(_("when it happened"), null=True, blank=True)
    extra_answers = models.JSONField(_("answers to extra questions"), default=dict, blank=True)

    # Who files it
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    on_behalf = models.BooleanField(_("filed on behalf of a patient"), default=False)
    patient_name = models.CharField(_("patient's name"), max_length=300, blank=True)
    relationship = models.CharField(_("relationship to the patient"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=10, default="it")
    contact_preference = models.CharField(
        _("preferred way to be answered"),
        max_length=10,
        choices=ContactPreference.choices,
        default=ContactPreference.EMAIL,
    )
    privacy_notice_version = models.CharField(_("privacy notice version"), max_length=100, blank=True)
    privacy_accepted_at = models.DateTimeField(_("privacy notice accepted at"), null=True, blank=True)

    # Handling
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    answer_by = models.DateField(_("answer by"))
    # The date first promised, kept when a handler extends it: statistics count "on time" against it.
    original_answer_by = models.DateField(_("answer-by date first given"), null=True, blank=True)
    # Where the site's rules ask for one (England: 3 working days); taking it in charge acknowledges it.
    acknowledge_by = models.DateField(_("acknowledge by"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_complaints",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered_complaints",
        help_text=_("The operator who wrote down a complaint received by phone, letter or in person."),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    # Satisfaction, once closed
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    # Patient safety: a handler's judgement that this may be an incident for clinical risk to review.
    safety_flagged_at = models.DateTimeField(_("flagged as a possible patient-safety incident"), null=True, blank=True, editable=False)
    safety_flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    # Related complaints (both directions) and the one this complaint repeats, if any.
    related = models.ManyToManyField("self", verbose_name=_("related complaints"), blank=True, symmetrical=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        editable=False,
    )

    # Privacy: set once the personal data are removed (privacy/anonymise.py); the figures stay.
    personal_data_removed_at = models.DateTimeField(
        _("personal data removed"), null=True, blank=True, editable=False
    )
    personal_data_removed_because = models.CharField(
        _("why personal data were removed"), max_length=20, choices=PersonalDataRemoval.choices, blank=True, editable=False
    )

    # The private link: the token is derived from this nonce and SECRET_KEY; only its hash is stored.
    access_nonce = models.CharField(max_length=64, editable=False)
    access_token_hash = models.CharField(max_length=64, unique=True, editable=False)

    # Makes a resubmitted form (double click, back and resubmit) idempotent.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    objects = ComplaintQuerySet.as_manager()

    # Complaints are too many to index; PROTECT on category/service already guards deletion.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "answer_by"], name="complaint_status_due"),
            models.Index(fields=["assigned_to", "status"], name="complaint_assigned_status"),
            models.Index(fields=["category", "received_at"], name="complaint_category_received"),
            models.Index(fields=["service", "received_at"], name="complaint_service_received"),
            models.Index(fields=["closed_at"], name="complaint_closed_at"),
            models.Index(fields=["safety_flagged_at"], name="complaint_safety_flagged"),
            # The statistics' "due" share counts the complaints still waiting for a first answer.
            models.Index(
                fields=["received_at"], condition=models.Q(first_answered_at__isnull=True), name="complaint_unanswered"
            ),
            # The acknowledgement share counts the complaints nobody has taken in charge yet.
            models.Index(
                fields=["received_at"], condition=models.Q(taken_in_charge_at__isnull=True),
                name="complaint_unacknowledged",
            ),
            # Open complaints only (a few percent of a big table): the inbox's "overdue" and "due
            # within" filters count from the first and page newest-first through the second.
            models.Index(fields=["answer_by"], condition=models.Q(status__in=OPEN_STATES), name="complaint_open_due"),
            models.Index(
                fields=["received_at", "answer_by"],
                condition=models.Q(status__in=OPEN_STATES),
                name="complaint_open_received",
            ),
        ]
        permissions = [
            ("view_personal_data", _("Can see complainants' personal data")),
            ("handle_data_requests_complaint", _("Can answer complainants' access and erasure requests")),
        ]

    def __str__(self):
        return self.reference

    # -- private link -------------------------------------------------------------------------

    @staticmethod
    def hash_token(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def access_token(self):
        """The secret in the patient's private link (256 bits, recomputable, never stored)."""
        return salted_hmac("wagtail_complaints.access", self.access_nonce, algorithm="sha256").hexdigest()

    def issue_access_token(self):
        """Give the complaint a new private link, revoking the old one. Call save() after."""
        self.access_nonce = secrets.token_urlsafe(32)
        self.access_token_hash = self.hash_token(self.access_token)

    # -- numbering ----------------------------------------------------------------------------

    def assign_reference(self, prefix=""):
        year = timezone.localtime(self.received_at).year
        self.reference = f"{prefix}{year}-{ReferenceCounter.next_number(year, prefix):06d}"

    # -- derived facts ------------------------------------------------------------------------

    @property
    def is_open(self):
        return self.status in OPEN_STATES

    @property
    def complainant_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def days_left(self):
        return (self.answer_by - timezone.localdate()).days

    @property
    def is_overdue(self):
        return self.is_open and self.days_left < 0 and self.duplicate_of_id is None

    @property
    def is_safety_flagged(self):
        return self.safety_flagged_at is not None

    @property
    def acknowledged_on(self):
        """The day the office acknowledged the complaint: the day it was taken in charge."""
        return timezone.localdate(self.taken_in_charge_at) if self.taken_in_charge_at else None

    @property
    def acknowledged_on_time(self):
        """True or False once it is acknowledged or late; None with no deadline or still within it."""
        if self.acknowledge_by is None:
            return None
        if self.acknowledged_on is not None:
            return self.acknowledged_on <= self.acknowledge_by
        return False if timezone.localdate() > self.acknowledge_by else None

    @property
    def acknowledgement_days_left(self):
        """Days left to acknowledge it, while that is still to do; None otherwise."""
        if self.acknowledge_by is None or self.acknowledged_on is not None or not self.is_open:
            return None
        return (self.acknowledge_by - timezone.localdate()).days

    @property
    def acknowledgement_days_overdue(self):
        days = self.acknowledgement_days_left
        return -days if days is not None and days < 0 else 0

    def reopen_until(self, reopen_within_days):
        """The last moment the patient may reopen from the link, or None if they cannot."""
        if self.status != "closed" or not self.closed_at or not reopen_within_days:
            return None
        return self.closed_at + datetime.timedelta(days=reopen_within_days)

    @property
    def can_be_emailed(self):
        return bool(self.email)

    @property
    def keeps_personal_data(self):
        return self.personal_data_removed_at is None

    def save(self, *args, **kwargs):
        if not self.access_nonce:
            self.issue_access_token()
        super().save(*args, **kwargs)


class MessageKind(models.TextChoices):
    ANSWER = "answer", _("Answer")
    PHONE_ANSWER = "phone_answer", _("Answer given by phone")
    COMPLAINANT_REPLY = "complainant_reply", _("Reply from the complainant")
    REOPEN_REASON = "reopen_reason", _("Reason for reopening")
    NOTE = "note", _("Internal note")


PUBLIC_MESSAGE_KINDS = [
    MessageKind.ANSWER,
    MessageKind.PHONE_ANSWER,
    MessageKind.COMPLAINANT_REPLY,
    MessageKind.REOPEN_REASON,
]


class MessageQuerySet(models.QuerySet):
    def public(self):
        """What the complainant may read: never internal notes."""
        return self.filter(kind__in=PUBLIC_MESSAGE_KINDS)


class Message(models.Model):
    """One entry of a complaint's thread."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the complainant wrote it."),
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    contacted_at = models.DateTimeField(
        _("phone call at"), null=True, blank=True, help_text=_("For answers given by phone.")
    )

    objects = MessageQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.complaint} · {self.get_kind_display()}"

    @property
    def is_public(self):
        return self.kind in PUBLIC_MESSAGE_KINDS

    @property
    def by_complainant(self):
        return self.kind in (MessageKind.COMPLAINANT_REPLY, MessageKind.REOPEN_REASON)


class PrivateFileSystemStorage(FileSystemStorage):
    """Files with no URL: FileSystemStorage would fall back to MEDIA_URL, a link that must not exist."""

    def url(self, name):
        raise ValueError("Complaint attachments have no public URL: serve them through a permission-checked view.")


def private_storage():
    """Attachments' storage: a folder outside MEDIA_ROOT with no public URL."""
    return PrivateFileSystemStorage(location=private_root())


def attachment_path(instance, filename):
    # A random name: the original one may carry health details and is kept only in the database.
    return f"complaints/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the complainant uploaded it."),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


# The e-mail carrying an answer greets the patient ("Dear Maria,") and the office signs it: a
# template that greets too would greet them twice.
GREETING = re.compile(r"^\W*(gentil\w*|egregi\w*|car[oae]|dear|hello|hi|estimad[oa]s?|querid[oa]s?|hola)\b", re.I)


class AnswerTemplate(models.Model):
    """Reusable text an operator can start an answer from, in one language, with placeholders."""

    title = models.CharField(_("title"), max_length=255)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("Offered for complaints in this language. Empty: offered for every complaint."),
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "Without greeting or signature: the e-mail greets the complainant by name and the office signs it. "
            "Placeholders: {first_name}, {reference}, {answer_by}, {office_name}."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def clean(self):
        if GREETING.match(self.body or ""):
            raise ValidationError(
                {"body": _("Start without a greeting: the e-mail already greets the complainant by name.")}
            )
