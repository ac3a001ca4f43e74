"""Speaker tab: verification (two clips -> score and decision; enrolment; a map of many clips)
and "Who spoke when". Presentation only: the task is audiokit.tasks.speaker.

handlers.py turns Gradio values into ``tasks.speaker.run()`` calls and back; views.py makes
Markdown, tables and figures from a Result; layout.py places the widgets and wires the events.
"""

from __future__ import annotations

from demos.speaker.layout import ALL_EXAMPLES, EXAMPLES, build, example

__all__ = ["ALL_EXAMPLES", "EXAMPLES", "build", "example"]
