"""The chain editor: per-effect rows (move, bypass, remove, parameters) that rewrite the JSON.

The chain JSON in the editor is the single source of truth: presets, the add/move/bypass/
remove buttons and the parameter widgets all rewrite that text, and the rows are re-rendered
from it. Every edit goes through the chain's own parser, so a widget cannot set what the
API would refuse.
"""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr

from audiokit import ui
from audiokit.errors import AudioStudyError
from audiokit.tasks import effects as fx
from demos.effects.views import receptive_field_note


def edit_chain(chain: str, op: str, index: int = 0, value: Any = None) -> str:
    """Apply one editor action to the chain JSON and return the new JSON.

    Args:
        chain: the current JSON.
        op: "add" (value = effect name), "up", "down", "remove", "bypass", or
            "set" (value = (parameter, new value)).
        index: the step (0-based).
    """
    steps = [s.to_dict() for s in fx.parse_chain(chain)]
    if op == "add":
        steps.append({"effect": value, "params": {}})
    elif op in ("up", "down"):
        j = index - 1 if op == "up" else index + 1
        if 0 <= j < len(steps):
            steps[index], steps[j] = steps[j], steps[index]
    elif op == "remove":
        steps.pop(index)
    elif op == "bypass":
        steps[index]["bypass"] = not steps[index].get("bypass", False)
    elif op == "set":
        name, new = value
        steps[index]["params"][name] = new
    return fx.chain_to_json(fx.parse_chain(steps))


@ui.user_errors
def effects_add(chain: str, effect: str) -> str:
    """Append an effect, at its defaults, to a chain.

    Args:
        chain: the chain JSON.
        effect: an allowlisted effect name (a Pedalboard class name, or NeuralTCN).

    Returns:
        The new chain JSON.
    """
    if effect not in fx.effects():
        raise AudioStudyError(
            f"Unknown effect '{effect}'; choose one of: {', '.join(fx.effects())}."
        )
    return edit_chain(chain, "add", value=effect)


@ui.user_errors
def set_param(chain: str, value: Any, *, index: int, name: str) -> str:
    """The chain with one keyword of step ``index`` set (whole numbers rounded)."""
    spec = fx.effects()[fx.parse_chain(chain)[index].effect]
    if spec.param(name).integer and isinstance(value, float):
        value = round(value)
    return edit_chain(chain, "set", index, (name, value))


def control(step: fx.Step, param: fx.EffectParam, interactive: bool):
    """A dropdown for a choice, a number box for a wide range, else a slider.

    Labelled with the real keyword. On a linear slider from 10 to 20,000 Hz one pixel is
    tens of hertz, so 80 Hz cannot be set: frequencies (and other ranges of two decades or
    more) get a number box that takes the value typed, checked by the chain's own parser.
    """
    value = step.params[param.name]
    if param.choices:
        return ui.control(param, value=value, info=None, min_width=160)
    if param.wide:
        return gr.Number(
            value=value,
            label=param.name,
            info=f"{param.minimum:g} … {param.maximum:g}{param.unit}; default {param.default}",
            precision=0 if param.integer else None,
            step=param.step or 0.01,
            min_width=160,
            interactive=interactive,
        )
    return ui.control(
        param,
        value=value,
        label=param.name,
        info=f"default {param.default}",
        step=param.step or 0.01,
        min_width=160,
        interactive=interactive,
    )


def chain_controls(demo: gr.Blocks, chain: gr.Code) -> None:
    """Per-effect rows (move, bypass, remove, parameters) re-rendered from the JSON."""

    def private(name: str) -> dict[str, Any]:
        return dict(api_name=f"effects_{name}", queue=False, **ui.PRIVATE)

    @gr.render(inputs=chain, triggers=[demo.load, chain.change])
    def rows(text: str) -> None:
        try:
            steps = fx.parse_chain(text)
        except AudioStudyError as exc:
            gr.Markdown(f"⚠️ {exc}")
            return
        if not steps:
            gr.Markdown("*Empty chain: add an effect or load a preset.*")
        for i, step in enumerate(steps):
            with gr.Group():
                with gr.Row(equal_height=True):
                    status = "~~bypassed~~ " if step.bypass else ""
                    with gr.Column(scale=3, min_width=180):
                        gr.Markdown(f"**{i + 1}. {step.effect}** {status}")
                    buttons = {
                        "up": gr.Button("▲ up", size="sm", scale=0, min_width=60),
                        "down": gr.Button("▼ down", size="sm", scale=0, min_width=70),
                        "bypass": gr.Button(
                            "enable" if step.bypass else "bypass", size="sm", scale=0, min_width=70
                        ),
                        "remove": gr.Button("✕ remove", size="sm", scale=0, min_width=80),
                    }
                for op, button in buttons.items():
                    button.click(
                        functools.partial(ui.user_errors(edit_chain), op=op, index=i),
                        chain,
                        chain,
                        **private(f"{op}_{i}"),
                    )
                if step.effect == fx.NEURAL:
                    gr.Markdown(receptive_field_note(step))
                with gr.Row():
                    for param in fx.effects()[step.effect].params:
                        widget = control(step, param, not step.bypass)
                        # A number box commits on Enter or on leaving it, never per keystroke:
                        # each commit re-renders these controls.
                        if isinstance(widget, gr.Number):
                            events = [widget.submit, widget.blur]
                        else:
                            events = [widget.input if param.choices else widget.release]
                        gr.on(
                            events,
                            functools.partial(set_param, index=i, name=param.name),
                            [chain, widget],
                            chain,
                            **private(f"set_{i}_{param.name}"),
                        )
