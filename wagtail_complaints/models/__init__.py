from .complaint import (  # noqa: F401
    AnswerTemplate,
    Attachment,
    Channel,
    Complaint,
    ContactPreference,
    Message,
    MessageKind,
    Outcome,
    PersonalDataRemoval,
    ReferenceCounter,
)
from .emails import Email, EmailStatus, EmailWording  # noqa: F401
from .operators import Operator, Role  # noqa: F401
from .pages import ComplaintFormField, ComplaintFormPage  # noqa: F401
from .settings import ComplaintSettings, OfficeText  # noqa: F401
from .taxonomy import Category, CategoryLabel, Service, ServiceLabel  # noqa: F401
from .history import ComplaintLogEntry  # noqa: F401
