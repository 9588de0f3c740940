"""schemathesis hooks for scripts/schemathesis.

The OpenAPI document states every rule a JSON Schema can state. A few rules are about
more than one value, or about the server's state, and no schema can state them:

- the window options: `from` with `to` and not after it, at most 3660 days; or `days`;
  or `cycle`, which must exist (the chart's `a_from`..`b_to` likewise, all four or none);
- a horror key must exist (`horror` filters) or be active (a tick's `horror`, a cycle's
  `focus`), and a catalogue names each key once;
- a tick's `occurred_at` lies between 1970 and five minutes from now;
- a cycle ends by 9999-12-31;
- a `site` must be configured (and active, to tick, to set volume or to bind a token,
  which an admin token cannot be); with sites, a tick must name one;
- volume is for days from 1970 up to today, each (day, site) once per request;
- text fields refuse control characters other than newline and tab (names: none at all),
  and a playbook is written in en, zh-Hans or zh-Hant with its five named parts;
- a tick's source `sheet` comes only from an entered paper sheet;
- a paper sheet names distinct days from 1970 up to today, active horror keys and counts
  0..=1000 (a map's values carry no bounds in the document); a printed check sheet covers
  `from`..`to` in order, at most 62 days;
- adopting a nomination needs a key no horror has, a unit cost in the currency's minor
  digits (USD: 2), and room for one more active horror
  (at most eight: the hook retires the last one first when eight are active).

So that `positive_data_acceptance` stays strict (every schema-valid request must be
accepted), these hooks bring each *positive* case within those rules just before it is
sent, changing as little as they can. Negative cases are never touched: whatever the
document forbids must still be refused.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, datetime, timedelta, timezone

import requests
import schemathesis

BASE_URL = os.environ["HORRORS_BASE_URL"]
TOKEN = os.environ["HORRORS_TOKEN"]
MAX_WINDOW_DAYS = 3660
DEFAULT_CYCLE_DAYS = 30  # [window] days in data/horrors.toml
KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"

_keys: dict[str, object] = {"at": 0.0, "active": [], "all": []}
_sites: dict[str, object] = {"at": 0.0, "active": [], "all": []}


def _site_list() -> tuple[list[str], list[str]]:
    """Active and all site keys (they change only with the configuration file)."""
    if float(_sites["at"]) == 0.0:
        reply = requests.get(
            f"{BASE_URL}/api/sites",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        reply.raise_for_status()
        sites = reply.json()["sites"]
        _sites["active"] = [s["key"] for s in sites if not s["retired"]]
        _sites["all"] = [s["key"] for s in sites]
        _sites["at"] = time.monotonic()
    return list(_sites["active"]), list(_sites["all"])  # type: ignore[arg-type]


def _fix_site(holder: dict, active_only: bool, required: bool) -> None:
    """Names a configured site (an active one when `active_only`); adds one when `required`."""
    active, every = _site_list()
    known = active if active_only else every
    if "site" in holder or (required and known):
        if known:
            if holder.get("site") not in known:
                holder["site"] = random.choice(known)
        else:
            holder.pop("site", None)


def _catalogue() -> tuple[list[str], list[str]]:
    """Active and all horror keys, fetched at most once a second (PUT /api/horrors changes them)."""
    if time.monotonic() - float(_keys["at"]) > 1.0:
        reply = requests.get(
            f"{BASE_URL}/api/horrors",
            params={"include_retired": "true"},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        reply.raise_for_status()
        horrors = reply.json()["horrors"]
        _keys["active"] = [h["key"] for h in horrors if not h["retired"]]
        _keys["all"] = [h["key"] for h in horrors]
        _keys["at"] = time.monotonic()
    return list(_keys["active"]), list(_keys["all"])  # type: ignore[arg-type]


def _date(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None  # e.g. year 0000, which Python cannot hold; sent as generated


def _window(first: object, last: object) -> tuple[str, str] | None:
    """`first`..`last` as a valid window: in order, at most 3660 days."""
    a, b = _date(first), _date(last)
    if a is None or b is None:
        return None
    a, b = min(a, b), max(a, b)
    if (b - a).days >= MAX_WINDOW_DAYS:
        b = a + timedelta(days=MAX_WINDOW_DAYS - 1)
    return a.isoformat(), b.isoformat()


def _fix_pair(query: dict, first: str, last: str) -> None:
    if first in query and last in query:
        window = _window(query[first], query[last])
        if window is not None:
            query[first], query[last] = window


def _fix_query(query: dict) -> None:
    if not isinstance(query, dict):
        return
    # The window options: `cycle` ids are not known here, so a positive case uses the others.
    query.pop("cycle", None)
    if "from" in query and "to" in query:
        query.pop("days", None)
        _fix_pair(query, "from", "to")
    else:
        query.pop("from", None)
        query.pop("to", None)
    compare = ["a_from", "a_to", "b_from", "b_to"]
    if any(name in query for name in compare):
        if all(name in query for name in compare):
            _fix_pair(query, "a_from", "a_to")
            _fix_pair(query, "b_from", "b_to")
        else:
            for name in compare:
                query.pop(name, None)
    if "site" in query:
        _fix_site(query, active_only=False, required=False)
    if "horror" in query:
        _, every = _catalogue()
        if query["horror"] not in every and every:
            query["horror"] = random.choice(every)


def _fix_tick(tick: object, active: list[str]) -> None:
    if not isinstance(tick, dict):
        return
    if tick.get("source") == "sheet":
        tick["source"] = "observer"
    _fix_site(tick, active_only=True, required=True)
    if tick.get("horror") not in active and active:
        tick["horror"] = random.choice(active)
    occurred = tick.get("occurred_at")
    if isinstance(occurred, str):
        try:
            instant = datetime.fromisoformat(occurred.replace("z", "Z"))
        except ValueError:
            instant = None  # e.g. a leap second, which Python cannot hold; sent as generated
        if instant is not None:
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=timezone.utc)
            now = datetime.now(timezone.utc)
            if instant.timestamp() < 0 or instant > now:
                tick["occurred_at"] = (now - timedelta(hours=1)).isoformat()


def _fix_focus(body: dict, active: list[str]) -> None:
    focus = body.get("focus")
    if isinstance(focus, list):
        known = [key for key in dict.fromkeys(focus) if key in active]
        others = [key for key in active if key not in known]
        random.shuffle(others)
        body["focus"] = (known + others)[: len(focus)]


def _unique_keys(body: dict) -> None:
    horrors = body.get("horrors")
    if not isinstance(horrors, list):
        return
    seen: set[str] = set()
    for horror in horrors:
        if not isinstance(horror, dict) or not isinstance(horror.get("key"), str):
            continue
        key = horror["key"]
        while key in seen:
            key = (key[:36] + "".join(random.choice(KEY_ALPHABET) for _ in range(4)))[:40]
        horror["key"] = key
        seen.add(key)


CONTROL = {chr(c) for c in list(range(0x20)) + list(range(0x7F, 0xA0))} - {"\n", "\t"}
PLAYBOOK_LANGS = ("en", "zh-Hans", "zh-Hant")
PLAYBOOK_PARTS = ("apologise", "who_we_are", "handling", "follow_up", "do_it")


def _clean(text: object, allow_newlines: bool = True, fallback: str = "x") -> object:
    """Text without the control characters the API refuses; never empty."""
    if not isinstance(text, str):
        return text
    refused = CONTROL if allow_newlines else CONTROL | {"\n", "\t"}
    cleaned = "".join(ch for ch in text if ch not in refused)
    return cleaned if cleaned.strip() else fallback


def _fix_texts(body: dict, fields: tuple[str, ...], names: tuple[str, ...] = ()) -> None:
    for field in fields:
        if field in body and body[field] is not None:
            body[field] = _clean(body[field], allow_newlines=field not in names)


def _fix_playbooks(body: dict) -> None:
    for horror in body.get("horrors") or []:
        if not isinstance(horror, dict) or not isinstance(horror.get("playbook"), dict):
            continue
        kept = {}
        for lang, parts in horror["playbook"].items():
            if lang in PLAYBOOK_LANGS and isinstance(parts, dict):
                kept[lang] = {k: _clean(v) for k, v in parts.items() if k in PLAYBOOK_PARTS}
        horror["playbook"] = kept


def _make_room() -> None:
    """Retires the last active horror when eight are active, so one can be adopted."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    horrors = requests.get(f"{BASE_URL}/api/horrors", headers=headers, timeout=10).json()["horrors"]
    if len(horrors) < 8:
        return
    keep = [{k: h[k] for k in ("key", "name", "description", "pain", "unit_cost", "operational") if k in h}
            for h in horrors[:-1]]
    requests.put(f"{BASE_URL}/api/horrors", json={"horrors": keep}, headers=headers, timeout=10)
    _keys["at"] = 0.0


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    _fix_query(case.query)
    body = case.body
    operation = f"{case.method.upper()} {case.operation.path}"
    if operation in ("POST /api/ticks", "POST /api/ticks/batch", "POST /api/cycles", "PUT /api/cycles/{id}"):
        active, _ = _catalogue()
        if operation == "POST /api/ticks":
            _fix_tick(body, active)
        elif operation == "POST /api/ticks/batch" and isinstance(body, dict):
            for tick in body.get("ticks") or []:
                _fix_tick(tick, active)
        elif isinstance(body, dict):
            _fix_focus(body, active)
    if operation == "POST /api/cycles" and isinstance(body, dict):
        start = _date(body.get("start"))
        days = body.get("days") or DEFAULT_CYCLE_DAYS
        if start is not None and isinstance(days, int):
            if start > date(9999, 12, 31) - timedelta(days=days - 1):
                body["start"] = date(2026, 1, 1).isoformat()
    if operation == "PUT /api/horrors" and isinstance(body, dict):
        _unique_keys(body)
    if operation == "POST /api/tokens" and isinstance(body, dict):
        if body.get("role") == "admin":
            body.pop("site", None)
        else:
            _fix_site(body, active_only=True, required=False)
    if operation == "PUT /api/volume" and isinstance(body, dict):
        _fix_volume(body)
    if operation == "PUT /api/horrors" and isinstance(body, dict):
        _fix_playbooks(body)
    if operation == "POST /api/enrolments" and isinstance(body, dict):
        _fix_site(body, active_only=True, required=False)
        _fix_texts(body, ("name",), names=("name",))
    if operation == "POST /api/nominations" and isinstance(body, dict):
        _fix_texts(body, ("title", "description", "example"), names=("title",))
    if operation == "POST /api/nominations/{id}/decline" and isinstance(body, dict):
        _fix_texts(body, ("reason",))
    if operation == "POST /api/sheets" and isinstance(body, dict):
        _fix_sheet(body)
    if operation in ("GET /api/alerts", "HEAD /api/alerts") and isinstance(case.query, dict):
        # A backtest spans at most 366 days (any longer is 422 by a rule the schema cannot state).
        query = case.query
        a, b = _date(query.get("from")), _date(query.get("to"))
        if a is not None and b is not None:
            a, b = min(a, b), max(a, b)
            b = min(b, a + timedelta(days=365))
            query["from"], query["to"] = a.isoformat(), b.isoformat()
    if operation in ("GET /sheets/check-sheet.pdf", "HEAD /sheets/check-sheet.pdf") and isinstance(case.query, dict):
        query = case.query
        _fix_site(query, active_only=False, required=False)
        a, b = _date(query.get("from")), _date(query.get("to"))
        if a is not None and b is not None:
            # A sheet's days are from 1970-01-02 on (as ticks'), at most 62 of them.
            a, b = max(min(a, b), date(1970, 1, 2)), max(a, b, date(1970, 1, 2))
            b = min(b, a + timedelta(days=MAX_SHEET_DAYS - 1))
            query["from"], query["to"] = a.isoformat(), b.isoformat()
    if operation == "POST /api/nominations/{id}/adopt" and isinstance(body, dict):
        _keys["at"] = 0.0  # a key adopted a moment ago must count as taken
        _, every = _catalogue()
        key = body.get("key")
        if isinstance(key, str):
            while key in every:
                key = (key[:36] + "".join(random.choice(KEY_ALPHABET) for _ in range(4)))[:40]
            body["key"] = key
        _fix_texts(body, ("name", "description"), names=("name",))
        cost = body.get("unit_cost")
        if isinstance(cost, str):
            whole, _, minor = cost.partition(".")
            # USD: 2 minor digits, and an amount within 10^15 minor units.
            whole = whole.lstrip("0")[-12:] or "0"
            body["unit_cost"] = f"{whole}.{minor[:2]}" if minor[:2] else whole
        _make_room()


MAX_SHEET_DAYS = 62


def _fix_sheet(body: dict) -> None:
    """A sheet within the rules: an active site, distinct past days, known keys, counts 0..=1000."""
    _fix_site(body, active_only=True, required=True)
    active, _ = _catalogue()
    days = body.get("days")
    if not isinstance(days, list):
        return
    latest = date.today() - timedelta(days=1)  # yesterday is over at every site
    seen: set[str] = set()
    for entry in days:
        if not isinstance(entry, dict):
            continue
        day = _date(entry.get("day"))
        if day is not None:
            day = min(max(day, date(1970, 1, 2)), latest)
            step = timedelta(days=-1)
            while day.isoformat() in seen:
                if day <= date(1970, 1, 2):
                    step = timedelta(days=1)
                day += step
            entry["day"] = day.isoformat()
            seen.add(entry["day"])
        counts = entry.get("counts")
        if isinstance(counts, dict) and active:
            fixed: dict[str, object] = {}
            for key, value in counts.items():
                key = key if key in active else random.choice(active)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    value = min(max(int(value), 0), 1000)
                fixed[key] = value
            entry["counts"] = fixed


def _fix_volume(body: dict) -> None:
    entries = body.get("entries")
    if not isinstance(entries, list):
        return
    # Yesterday is over everywhere; a day after it may still be ahead of some site.
    latest = date.today() - timedelta(days=1)
    seen: set[tuple[str, object]] = set()
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        _fix_site(entry, active_only=True, required=True)
        day = _date(entry.get("day"))
        if day is not None and day > latest:
            day = latest
        if day is not None and day < date(1970, 1, 2):
            day = date(1970, 1, 2) + timedelta(days=random.randrange(20000))
        while day is not None and (day.isoformat(), entry.get("site")) in seen:
            day -= timedelta(days=1)
        if day is not None:
            entry["day"] = day.isoformat()
            seen.add((entry["day"], entry.get("site")))


# Binary answers are checked for what they claim to be, then validated as the document's
# `type: string, format: binary` (as text, byte for byte).
_SIGNATURES = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "application/zip": b"PK\x03\x04",
    "application/pdf": b"%PDF-",
}


@schemathesis.deserializer("image/png", "application/zip", "application/pdf")
def binary(ctx, response):
    media_type = response.headers.get("content-type", [""])
    media_type = (media_type[0] if isinstance(media_type, list) else media_type).split(";")[0].strip()
    signature = _SIGNATURES.get(media_type, b"")
    if not response.content.startswith(signature):
        raise ValueError(f"a {media_type} answer that does not start with {signature!r}")
    return response.content.decode("latin-1")
