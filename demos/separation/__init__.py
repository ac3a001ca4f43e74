"""Separation tab: three offline denoisers, DSP separations, SepFormer on demand.

Presentation only, in three layers: :mod:`~demos.separation.handlers` (Gradio values ->
``audiokit.tasks.separation.run()`` -> Gradio values), :mod:`~demos.separation.views`
(Markdown and figures from a ``Result``) and :mod:`~demos.separation.layout` (``build()``).
The public ``/separate`` returns the stems and the summary; the figures are drawn afterwards
by a private step from the result held on the server, so API callers never wait for
matplotlib.
"""

from __future__ import annotations

from demos.separation.layout import EXAMPLES, build

__all__ = ["EXAMPLES", "build"]
