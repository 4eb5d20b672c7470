"""The page's tabs, one module each: ``build(page)`` lays the tab out and registers its events.

A tab module holds only gradio layout and plain handlers (typed records in, typed records out, see
:mod:`..wiring`); the tab's logic stays in the gradio-free module of the same name one level up
(:mod:`..draft`, :mod:`..batch`, :mod:`..alignment`, :mod:`..retro`, :mod:`..guidance`), where it is
tested on its own. :mod:`..ui` lists the tabs in page order.
"""
