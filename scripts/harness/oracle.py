"""The oracle: what a run's faults should have sent, against what the Telegram stand-in
accepted. Pure functions of the recorded lists, tested on synthetic ones in tests/."""

import os
import re

from .common import SECRETS


MESSAGE_LINE = re.compile(r"^(🔴|🔁|🟢) .*?<code>(.+?)</code>")
ACTIONS = {"🔴": "fire", "🔁": "repeat", "🟢": "resolve"}


def parse_messages(accepted):
    """One event per notification: (action, key, text, entry). A digest gives several."""
    events = []
    for entry in accepted:
        lines = entry["text"].split("\n")
        if lines[0].startswith("📣"):
            for line in lines[1:]:
                found = MESSAGE_LINE.match(line)
                if found:
                    events.append((ACTIONS[found[1]], html_unescape(found[2]), line, entry))
            continue
        found = re.match(r"^(🔴|🔁|🟢) ", lines[0])
        key = re.match(r"^<code>(.+?)</code>", lines[1]) if len(lines) > 1 else None
        if found and key:
            events.append((ACTIONS[found[1]], html_unescape(key[1]), entry["text"], entry))
        else:
            events.append(("unparsed", "", entry["text"], entry))
    return events


def html_unescape(text):
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def compare(faults, events, kills):
    """Faults against notifications. Returns (problems, duplicates allowed)."""
    problems, allowed_duplicates = [], 0
    by_key = {}
    for action, key, text, entry in events:
        if action == "unparsed":
            problems.append(f"a message the harness cannot read: {text[:120]!r}")
            continue
        by_key.setdefault(key, []).append((action, text, entry))
    expected_keys = {fault["key"] for fault in faults}
    for key in sorted(set(by_key) - expected_keys):
        problems.append(f"{key}: {len(by_key[key])} notification(s) without an injected fault")
    for key in sorted(expected_keys):
        key_faults = sorted((f for f in faults if f["key"] == key), key=lambda f: f["start"])
        received = by_key.get(key, [])
        # Drop copies of a message that was in flight when the watchdog was killed.
        kept = []
        for action, text, entry in received:
            if kept and kept[-1][1] == text:
                first = kept[-1][2]
                answered = first["answered"] or first["received"]
                if any(first["received"] - 0.05 <= kill <= answered + 1.0 for kill in kills):
                    allowed_duplicates += 1
                    continue
                problems.append(f"{key}: {action} delivered twice with no kill while it was in flight")
                continue
            kept.append((action, text, entry))
        actions = [action for action, _, _ in kept]
        wanted = ["fire", "resolve"] * len(key_faults)
        if actions != wanted:
            problems.append(f"{key}: {len(key_faults)} fault(s) gave {' '.join(actions) or 'nothing'}")
            continue
        for index, fault in enumerate(key_faults):
            fire, resolve = kept[2 * index][2], kept[2 * index + 1][2]
            if fire["received"] < fault["start"]:
                problems.append(f"{key}: fire {index + 1} arrived before its fault began")
            if resolve["received"] < fault["end"]:
                problems.append(f"{key}: resolve {index + 1} arrived before its fault ended")
    return problems, allowed_duplicates


def secrets_in_logs(workdir):
    leaks = []
    for name in ("stdout.log", "stderr.log"):
        with open(os.path.join(workdir, name), errors="replace") as log:
            for number, line in enumerate(log, 1):
                for secret in SECRETS:
                    if secret in line:
                        leaks.append(f"{name}:{number} holds a secret")
    return leaks
