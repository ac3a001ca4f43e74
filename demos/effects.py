"""Effects tab (placeholder until issue #5 lands)."""

import gradio as gr

from audiokit.ui import launch_kwargs, placeholder


def build(*, api_prefix: str = "") -> gr.Blocks:
    """The tab's Blocks; `api_prefix` keeps embedded copies' endpoint names apart."""
    return placeholder("Effects", "issue #5")


if __name__ == "__main__":
    build().queue(default_concurrency_limit=1).launch(**launch_kwargs())
