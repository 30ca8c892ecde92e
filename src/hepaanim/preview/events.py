"""What the page may send, checked before VPython sees it.

VPython's own handler trusts its page: a message such as ``[{"event": "bogus"}]``, a
slider event without a value, or a value of the wrong type raises inside it (a traceback
on the server, the client dropped), and some wrong values are stored first and break every
later frame (a slider holding a string).  The preview's page sends only a few shapes
(VPython's ``glowcomm`` page with our widgets and no bound mouse events); each message is
checked whole against them and refused whole, with one line saying why, so nothing of a
bad message reaches VPython and the session keeps serving.
"""
from __future__ import annotations

import json
import math


class BadMessage(ValueError):
    """A message the page would never send: one line, sent back to the client."""


MAX_EVENTS = 1000
_VECTORS = ("pos", "ray", "forward", "up", "center")
_WIDGETS = ("button", "slider", "menu", "checkbox")


def parse_message(text: str, registry: dict, vp) -> list[dict]:
    """The events of one message (``'trigger'`` has none), each checked against the object
    it names in VPython's ``registry``; :class:`BadMessage` for anything else."""
    if text == "trigger":
        return []
    try:
        events = json.loads(text)
    except ValueError:
        raise BadMessage("not JSON: expected 'trigger' or a JSON list of events") from None
    return check_events(events, registry, vp)


def check_events(events, registry: dict, vp) -> list[dict]:
    """``events`` if it is a list of events the page could have sent, else BadMessage."""
    if not isinstance(events, list):
        raise BadMessage(f"expected a JSON list of events, got {_kind(events)}")
    if len(events) > MAX_EVENTS:
        raise BadMessage(f"{len(events)} events in one message (at most {MAX_EVENTS})")
    for i, e in enumerate(events):
        try:
            _check(e, registry, vp)
        except BadMessage as err:
            raise BadMessage(f"event {i}: {err}") from None
    return events


def _check(e, registry: dict, vp):
    if not isinstance(e, dict):
        raise BadMessage(f"expected an object, got {_kind(e)}")
    if "widget" in e:
        return _check_widget(e, registry, vp)
    kind = e.get("event")
    if kind == "_compound":              # answered by the preview itself (fast_compound)
        return
    if kind != "update_canvas":
        raise BadMessage(f"unknown event {kind!r}" if "event" in e
                         else "no 'event' or 'widget' key")
    if "trigger" in e:                   # the notebook page's poll: VPython reads nothing else
        return
    _obj(e, "canvas", registry, vp.canvas, "canvas")
    for k in _VECTORS:
        if k in e and not (isinstance(e[k], list) and len(e[k]) == 3
                           and all(_finite(v) for v in e[k])):
            raise BadMessage(f"{k!r} must be a list of 3 finite numbers")
    if "range" in e and not (_finite(e["range"]) and e["range"] > 0):
        raise BadMessage("'range' must be a positive number")
    if "autoscale" in e and not isinstance(e["autoscale"], bool):
        raise BadMessage("'autoscale' must be true or false")
    if "keysdown" in e and not (isinstance(e["keysdown"], list)
                                and all(isinstance(k, str) for k in e["keysdown"])):
        raise BadMessage("'keysdown' must be a list of strings")


def _check_widget(e: dict, registry: dict, vp):
    kind = e["widget"]
    if kind not in _WIDGETS:
        raise BadMessage(f"unknown widget {kind!r}")
    obj = _obj(e, "idx", registry, getattr(vp, kind), kind)
    if kind == "button":
        return
    if "value" not in e:
        raise BadMessage(f"{kind} event without a 'value'")
    v = e["value"]
    if kind == "slider":
        if not _finite(v) or not obj.min <= v <= obj.max:
            raise BadMessage(f"slider value must be a number from {obj.min:g} to {obj.max:g}")
    elif kind == "menu":
        n = len(obj.choices)
        if not (isinstance(v, int) and not isinstance(v, bool) and 0 <= v < n):
            raise BadMessage(f"menu value must be an index from 0 to {n - 1}")
    elif not isinstance(v, bool):        # checkbox
        raise BadMessage("checkbox value must be true or false")


def _obj(e: dict, key: str, registry: dict, cls, what: str):
    idx = e.get(key)
    if not (isinstance(idx, int) and not isinstance(idx, bool)):
        raise BadMessage(f"{what} event needs an integer {key!r}")
    obj = registry.get(idx)
    if not isinstance(obj, cls):
        raise BadMessage(f"no {what} with {key} {idx}")
    return obj


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _kind(v) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null",
            bool: "a boolean"}.get(type(v), "a number")
