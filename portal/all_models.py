"""Every package's models, imported once so the metadata (create_all, migrations) knows every table."""

from crm_bridge import audit, models  # noqa: F401
from crm_bridge.staff import models as staff_models  # noqa: F401
from kiosk import models as kiosk_models  # noqa: F401
from kiosk import visit_models  # noqa: F401
from knowledge_base import models as kb_models  # noqa: F401

from .chat import models as chat_models  # noqa: F401
from .eforms import models as eform_models  # noqa: F401
