"""Shared core of Audio Study Space: audio I/O and validation, model loading, plots, metrics.

Submodules are imported explicitly (``from audiokit.audio import load_audio``) so that
importing the package stays cheap and never loads a model.
"""

from audiokit.errors import AudioStudyError, ModelUnavailableError

__all__ = ["AudioStudyError", "ModelUnavailableError"]
