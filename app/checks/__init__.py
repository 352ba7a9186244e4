"""Cross-language checks: what an editor should look at when comparing translations.

Pure: frozen dataclasses in, findings out; no web framework, no database. The encoder is
only used through the app.align.encoder.Encoder protocol.
"""

from app.checks.model import (
    CHECKS,
    CheckLink,
    CheckPair,
    CheckParagraph,
    Finding,
)
from app.checks.runner import run_checks

__all__ = ["CHECKS", "CheckLink", "CheckPair", "CheckParagraph", "Finding", "run_checks"]
