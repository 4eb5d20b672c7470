"""Typed event wiring: named components, plain handlers whose parameters and result records name them, the adapter.

A tab registers the components its events read or write under page-wide names (:meth:`Page.add`) and its
handlers with :meth:`Page.on`. A handler is a plain function: ``ctx`` first when it needs the shared context,
then one parameter per input component, named as the component, and keyword-only ``session`` (gradio's session
hash) and ``progress`` (``progress(fraction, words)``) when it needs them. It returns (or yields) a dataclass
whose fields are named after its output components, in order; a field with :data:`TOAST` metadata is shown as
a warning instead, and one with :data:`SPREAD` metadata holds one value per component of a group. Inputs and
outputs are read from the handler's signature and return annotation, so the wiring cannot drift from the code,
and :meth:`Page.wire` attaches everything once every tab's components exist. Tests call the handlers directly
and check :func:`gradio_outputs` against the wired components.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import gradio as gr

from .context import AppContext
from .texts import text
from .updates import Relabel, gradio_value

TOAST = {"toast": True}  # dataclass field metadata: a warning to show, not an output component
SPREAD = {"spread": True}  # dataclass field metadata: a tuple, one value per component of a group (``labels``)
SPECIAL = ("session", "progress")  # keyword-only handler parameters the adapter fills from gradio
Progress = Callable[[float, str], None]


class WiringError(ValueError):
    """A handler whose inputs or result record name components the page does not have."""


@dataclass(frozen=True)
class Label:
    """A component property in ui.toml's words, for the language switch: ``template`` wraps the words."""

    component: Any
    prop: str
    key: str
    template: str = "{}"

    def relabel(self, language: str, visible: bool | None = None) -> Relabel:
        return Relabel(self.prop, self.template.format(text(language, self.key)), visible)

    @property
    def remounts(self) -> bool:
        """A file box or an editable table: gradio words their drop areas once, when drawn, so a switch hides
        and shows them again."""
        droppable = isinstance(self.component, gr.File) or (
            isinstance(self.component, gr.Dataframe) and self.component.interactive
        )
        return bool(droppable) and self.prop == "label"


@dataclass(frozen=True)
class Binding:
    """One wired event: what triggers it, the plain handler, its input and output names and its result type."""

    trigger: Callable[..., Any] | None  # None: the page's unload
    handler: Callable[..., Any]
    inputs: tuple[str, ...]
    result: type | None
    options: Mapping[str, Any]

    @property
    def outputs(self) -> tuple[str, ...]:
        return output_names(self.result) if self.result is not None else ()

    @property
    def name(self) -> str:
        return getattr(_function(self.handler), "__qualname__", repr(self.handler))


def output_names(result: type) -> tuple[str, ...]:
    """The output component names of a result record: its fields, less the toast."""
    if not is_dataclass(result):
        raise WiringError(f"{result!r} is not a dataclass result record")
    return tuple(f.name for f in fields(result) if not f.metadata.get("toast"))


def gradio_outputs(result: Any) -> list[Any]:
    """A result record as gradio's output list; a :data:`SPREAD` field spreads over its group of components."""
    values: list[Any] = []
    for item in fields(result):
        if item.metadata.get("toast"):
            continue
        value = getattr(result, item.name)
        if item.metadata.get("spread"):
            values.extend(gradio_value(one) for one in value)
        else:
            values.append(gradio_value(value))
    return values


def toasts(result: Any) -> list[str]:
    """The warnings a result record carries."""
    return [getattr(result, f.name) for f in fields(result) if f.metadata.get("toast") and getattr(result, f.name)]


def _function(handler: Callable[..., Any]) -> Callable[..., Any]:
    return handler.func if isinstance(handler, functools.partial) else handler


def result_type(handler: Callable[..., Any]) -> type | None:
    """The record a handler returns, from its return annotation (``Iterator[X]`` for one that streams)."""
    function = _function(handler)
    annotation = typing.get_type_hints(function).get("return")  # every annotation must import at run time
    if annotation is None or annotation is type(None):
        return None
    if typing.get_origin(annotation) in (Iterator, typing.Iterator):
        (annotation,) = typing.get_args(annotation)
    if not (isinstance(annotation, type) and is_dataclass(annotation)):
        raise WiringError(f"{function.__qualname__} must return a dataclass record, not {annotation!r}")
    return annotation


def handler_inputs(handler: Callable[..., Any]) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    """Whether a handler takes ``ctx``, its positional parameter names after it, and the specials it takes."""
    parameters = list(inspect.signature(handler).parameters.values())
    takes_ctx = bool(parameters) and parameters[0].name == "ctx"
    positional = [p.name for p in parameters[takes_ctx:] if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    special = tuple(p.name for p in parameters if p.kind is p.KEYWORD_ONLY and p.name in SPECIAL)
    return takes_ctx, tuple(positional), special


class Page:
    """The page being built: its named components, the labels the language switch rewrites, the events."""

    def __init__(self, ctx: AppContext, language: str = "zh") -> None:
        self.ctx = ctx
        self.language = language  # the page opens in this language
        self.labels: list[Label] = []
        self.bindings: list[Binding] = []
        self._parts: dict[str, Any] = {}

    # ------------------------------------------------------------------ components

    def text(self, key: str, **values: Any) -> str:
        """A ui.toml label in the language the page opens in."""
        return text(self.language, key, **values)

    def add(self, name: str, component: Any) -> Any:
        """Register a component that events read or write, under a name unique on the page."""
        if name in self._parts or name == "labels":
            raise WiringError(f"two components named {name!r}")
        self._parts[name] = component
        return component

    def labelled(self, make: Callable[..., Any], words: Mapping[str, str], /, **options: Any) -> Any:
        """``make(**options)`` with each property in ``words`` (property → ui.toml key) in the page's words.

        The language switch rewrites those properties: ``page.labelled(gr.Button, {"value": "send"})``.
        """
        component = make(**{prop: self.text(key) for prop, key in words.items()}, **options)
        for prop, key in words.items():
            self.labels.append(Label(component, prop, key))
        return component

    def heading(self, key: str, level: int) -> Any:
        """A Markdown heading in the page's words, relabelled on a switch."""
        template = "#" * level + " {}"
        component = gr.Markdown(template.format(self.text(key)))
        self.labels.append(Label(component, "value", key, template))
        return component

    def part(self, name: str) -> Any:
        """The component named ``name`` (or, for ``labels``, every labelled component in order)."""
        if name == "labels":
            return [label.component for label in self.labels]
        try:
            return self._parts[name]
        except KeyError:
            raise WiringError(f"no component named {name!r} on the page") from None

    def components(self, names: Sequence[str]) -> list[Any]:
        """The components for a list of names; a group name (``labels``) spreads."""
        found: list[Any] = []
        for name in names:
            part = self.part(name)
            found.extend(part if isinstance(part, list) else [part])
        return found

    # ------------------------------------------------------------------ events

    def on(self, trigger: Callable[..., Any], handler: Callable[..., Any], **options: Any) -> None:
        """Wire ``handler`` to ``trigger`` (``button.click``, ``box.submit`` …) once the page is complete.

        The handler's positional parameters (after ``ctx``) name its input components, its result record's
        fields its outputs; ``options`` go to gradio (``api_name``, ``api_visibility``).
        """
        _, inputs, _ = handler_inputs(handler)
        self.bindings.append(Binding(trigger, handler, inputs, result_type(handler), dict(options)))

    def on_unload(self, handler: Callable[..., Any]) -> None:
        """Run ``handler`` (no inputs, no outputs) when a browser tab closes."""
        if handler_inputs(handler)[1] or result_type(handler) is not None:
            raise WiringError(f"{_function(handler).__qualname__}: an unload handler takes no inputs, returns None")
        self.bindings.append(Binding(None, handler, (), None, {}))

    def wire(self, blocks: gr.Blocks) -> None:
        """Attach every registered event to gradio (inside ``blocks``, once every tab's components exist).

        Events with an ``api_name`` go first: gradio gives a name already taken (by another event's default
        name, its function's) a suffix, and the named API endpoints must keep their names exactly.
        """
        for binding in sorted(self.bindings, key=lambda b: "api_name" not in b.options):
            fn = adapter(binding, self.ctx)
            if binding.trigger is None:
                blocks.unload(fn)
            else:
                binding.trigger(
                    fn, self.components(binding.inputs), self.components(binding.outputs), **binding.options
                )


def adapter(binding: Binding, ctx: AppContext) -> Callable[..., Any]:
    """The function gradio calls: fills ``ctx``, ``session`` and ``progress``, maps the record to outputs.

    Its signature names the handler's inputs (the API's parameter names) between the ``gr.Request`` gradio
    inserts first and the ``gr.Progress`` it appends, so gradio calls it with ``request, *inputs[, progress]``.
    """
    handler = binding.handler
    takes_ctx, positional, special = handler_inputs(handler)
    head = [ctx] if takes_ctx else []
    with_progress = "progress" in special

    def call(args: tuple[Any, ...]) -> Any:
        request, *inputs = args
        extra: dict[str, Any] = {}
        if with_progress:
            bar = inputs.pop()
            extra["progress"] = lambda fraction, words: bar(fraction, desc=words)
        if "session" in special:
            extra["session"] = getattr(request, "session_hash", None) or ""
        return handler(*head, *inputs, **extra)

    def show(result: Any) -> Any:
        if result is None:
            return None
        for message in toasts(result):
            gr.Warning(message)
        values = gradio_outputs(result)
        return values[0] if len(values) == 1 else values

    def stream(*args: Any) -> Iterator[Any]:
        for result in call(args):
            yield show(result)

    def once(*args: Any) -> Any:
        return show(call(args))

    run: Callable[..., Any] = stream if inspect.isgeneratorfunction(_function(handler)) else once
    parameters = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_ONLY, annotation=gr.Request)]
    parameters.extend(inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in positional)
    if with_progress:
        parameters.append(inspect.Parameter("progress", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=gr.Progress()))
    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {"request": gr.Request}
    function = _function(handler)
    run.__doc__ = function.__doc__
    run.__name__ = run.__qualname__ = f"{function.__module__.rpartition('.')[2]}_{function.__name__}"
    run.binding = binding  # type: ignore[attr-defined]  # for the wiring tests
    return run
