"""Every model module, imported once so the metadata is complete (Alembic, tests)."""
from .catalog import models as catalog_models  # noqa: F401
from .citizens import models as citizen_models  # noqa: F401
from .lending import models as lending_models  # noqa: F401
from .logistics import models as logistics_models  # noqa: F401
from .maintenance import models as maintenance_models  # noqa: F401
from .nav import models as nav_models  # noqa: F401
from .core import auth as auth_models  # noqa: F401
from .core import logins as login_models  # noqa: F401
from .core.db import Base
from .incidents import models as incident_models  # noqa: F401
from .stock import models as stock_models  # noqa: F401
from .stocktake import models as stocktake_models  # noqa: F401
from .recalls import models as recall_models  # noqa: F401
from .reports import models as report_models  # noqa: F401
from .twin import models as twin_models  # noqa: F401

metadata = Base.metadata
