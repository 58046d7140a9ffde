"""What the stand-ins serve right now; the scheduler changes it."""

import time


class World:
    """What the stand-ins serve right now; the scheduler changes it."""

    def __init__(self):
        self.orchestrator = "ok"  # ok | down | stale | hung
        self.api = "ok"  # ok | hang
        self.db = "ok"  # ok | refuse
        self.pinging = True
        self.telegram = "ok"  # ok | 429 | 500 | timeout
        self.generated_at = time.time()
        self.cpu_ticks = 1000
        self.accepted = []  # dicts: text, received, answered
        self.edits = []  # (message_id, text): a resolve edits its fire (docs/channels.md, "Threads and edits")
        self.telegram_answers = {"ok": 0, "429": 0, "500": 0, "timeout": 0, "invalid": 0}
        self.send_gaps = []
        self.answer_delay = (0.0, 0.0)  # crash: accepted messages are answered late, so kills fall in flight
