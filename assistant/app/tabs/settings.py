"""The settings tab (设置): the ``okr-review doctor`` summary of the LLM endpoint and knowledge index, on demand.

The check is blocking and talks to the configured endpoint, so it runs only when the button is pressed;
the report and its Markdown come from :mod:`assistant.app.doctor_panel`.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from ..context import AppContext
from ..doctor_panel import doctor_markdown, run_doctor
from ..texts import language_of
from ..updates import Keep, reworded
from ..wiring import Page


@dataclass(frozen=True)
class DoctorShown:
    """The doctor report as Markdown: verdict, endpoint facts, a table of checks, where settings came from."""

    doctor: str


def diagnose(ctx: AppContext, language: str) -> DoctorShown:
    """Run the same checks as ``okr-review doctor`` on the app's settings (the key is never shown)."""
    return DoctorShown(doctor_markdown(run_doctor(ctx.config, language), language))


@dataclass(frozen=True)
class DoctorInLanguage:
    """The hint re-worded in the new language while the checks have not been run (a report is kept)."""

    doctor: str | Keep


def switch_language(switch: str, doctor: str | None) -> DoctorInLanguage:
    """Before the checks run, the hint follows the switch; a report stays as it was written."""
    return DoctorInLanguage(reworded(doctor, ("doctor_empty",), language_of(switch)))


def build(page: Page) -> None:
    """The settings tab: a hint, the button, and the report."""
    with page.labelled(gr.Tab, {"label": "tab_settings"}, id="settings"):
        page.labelled(gr.Markdown, {"value": "settings_hint"})
        run_button = page.labelled(gr.Button, {"value": "doctor_run"}, variant="primary", elem_id="doctor-run")
        page.add("doctor", gr.Markdown(page.text("doctor_empty"), elem_id="doctor-report"))
    page.on(page.part("switch").change, switch_language, api_visibility="private")
    page.on(run_button.click, diagnose, api_name="doctor")
