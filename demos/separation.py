"""Separation tab (placeholder until issue #6 lands)."""

import gradio as gr

from audiokit.ui import launch_kwargs, placeholder


def build(*, api_prefix: str = "") -> gr.Blocks:
    """The tab's Blocks; `api_prefix` keeps embedded copies' endpoint names apart."""
    return placeholder("Separation", "issue #6")


if __name__ == "__main__":
    build().queue(default_concurrency_limit=1).launch(**launch_kwargs())
