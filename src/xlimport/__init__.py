"""xlimport: import Excel models cell by cell into a database, recomputed and validated.

>>> import xlimport
>>> result = xlimport.import_workbook("model.xlsx")      # doctest: +SKIP
>>> result.validation.match_rate                          # doctest: +SKIP
"""

from __future__ import annotations

import logging

from . import errors
from .api import import_workbook, validate_model
from .client import Client
from .config import ImportOptions, Settings
from .errors import XlImportError
from .result import ImportResult, ImportStats
from .store import open_store
from .validation import ValidationReport

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Client",
    "ImportOptions",
    "ImportResult",
    "ImportStats",
    "Settings",
    "ValidationReport",
    "XlImportError",
    "errors",
    "import_workbook",
    "open_store",
    "validate_model",
    "__version__",
]
