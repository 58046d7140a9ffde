"""The oracle judged on synthetic faults and messages: every verdict it can give, for
runs whose outcome is known."""

import os
import tempfile
import unittest

from harness.common import TOKEN
from harness.oracle import compare, parse_messages, secrets_in_logs


def message(action, key, received, answered=None, title="Something is down"):
    icon = {"fire": "🔴", "repeat": "🔁", "resolve": "🟢"}[action]
    word = {"fire": "FIRING", "repeat": "STILL FIRING", "resolve": "RESOLVED"}[action]
    escaped = key.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {"text": f"{icon} <b>{word}</b> · <b>{title}</b>\n<code>{escaped}</code> · critical\ndetail",
            "received": received, "answered": answered if answered is not None else received + 0.01}


def fault(key, start, end):
    return {"kind": "synthetic", "key": key, "start": start, "end": end}


def judge(faults, accepted, kills=()):
    return compare(faults, parse_messages(accepted), list(kills))


class ParseMessagesTests(unittest.TestCase):
    def test_a_single_message_is_one_event_with_its_unescaped_key(self):
        events = parse_messages([message("fire", "rule:a<b>", 1.0)])
        self.assertEqual([(action, key) for action, key, _, _ in events], [("fire", "rule:a<b>")])

    def test_a_digest_gives_one_event_per_line(self):
        digest = {"text": "📣 <b>3 notifications</b>\n🔴 FIRING <code>dependency_down:api</code>\n"
                          "🟢 RESOLVED <code>dependency_down:db</code>\n… and 1 more",
                  "received": 1.0, "answered": 1.1}
        events = parse_messages([digest])
        self.assertEqual([(action, key) for action, key, _, _ in events],
                         [("fire", "dependency_down:api"), ("resolve", "dependency_down:db")])

    def test_a_message_it_cannot_read_is_reported_as_such(self):
        events = parse_messages([{"text": "hello", "received": 1.0, "answered": 1.0}])
        self.assertEqual(events[0][0], "unparsed")
        problems, _ = compare([], events, [])
        self.assertEqual(len(problems), 1)
        self.assertIn("cannot read", problems[0])


class CompareTests(unittest.TestCase):
    def test_one_fire_and_one_resolve_per_fault_in_order_is_a_clean_run(self):
        faults = [fault("dependency_down:db", 10, 20), fault("dependency_down:db", 30, 40),
                  fault("orchestrator_down", 15, 25)]
        accepted = [message("fire", "dependency_down:db", 11), message("fire", "orchestrator_down", 16),
                    message("resolve", "dependency_down:db", 21), message("resolve", "orchestrator_down", 26),
                    message("fire", "dependency_down:db", 31), message("resolve", "dependency_down:db", 41)]
        self.assertEqual(judge(faults, accepted), ([], 0))

    def test_a_missing_resolve_is_a_problem(self):
        problems, _ = judge([fault("dependency_down:db", 10, 20)], [message("fire", "dependency_down:db", 11)])
        self.assertEqual(problems, ["dependency_down:db: 1 fault(s) gave fire"])

    def test_a_fault_that_sent_nothing_is_a_problem(self):
        problems, _ = judge([fault("heartbeat_missed:soak-job", 10, 20)], [])
        self.assertEqual(problems, ["heartbeat_missed:soak-job: 1 fault(s) gave nothing"])

    def test_a_repeat_is_a_problem(self):
        accepted = [message("fire", "agent_hung:run-1", 11), message("repeat", "agent_hung:run-1", 12),
                    message("resolve", "agent_hung:run-1", 21)]
        problems, _ = judge([fault("agent_hung:run-1", 10, 20)], accepted)
        self.assertEqual(problems, ["agent_hung:run-1: 1 fault(s) gave fire repeat resolve"])

    def test_a_key_without_a_fault_is_a_problem(self):
        accepted = [message("fire", "disk_full:/", 11), message("resolve", "disk_full:/", 12)]
        problems, _ = judge([], accepted)
        self.assertEqual(problems, ["disk_full:/: 2 notification(s) without an injected fault"])

    def test_a_fire_before_its_fault_began_or_a_resolve_before_it_ended_is_a_problem(self):
        accepted = [message("fire", "dependency_down:db", 9), message("resolve", "dependency_down:db", 19)]
        problems, _ = judge([fault("dependency_down:db", 10, 20)], accepted)
        self.assertEqual(problems, ["dependency_down:db: fire 1 arrived before its fault began",
                                    "dependency_down:db: resolve 1 arrived before its fault ended"])

    def test_out_of_order_is_a_problem(self):
        accepted = [message("resolve", "dependency_down:db", 21), message("fire", "dependency_down:db", 22)]
        problems, _ = judge([fault("dependency_down:db", 10, 20)], accepted)
        self.assertEqual(problems, ["dependency_down:db: 1 fault(s) gave resolve fire"])

    def test_a_duplicate_is_allowed_only_when_a_kill_fell_while_it_was_in_flight(self):
        faults = [fault("dependency_down:db", 10, 20)]
        accepted = [message("fire", "dependency_down:db", 11, answered=11.2), message("fire", "dependency_down:db", 13),
                    message("resolve", "dependency_down:db", 21)]
        self.assertEqual(judge(faults, accepted, kills=[11.1]), ([], 1))
        problems, allowed = judge(faults, accepted, kills=[])
        self.assertEqual(allowed, 0)
        self.assertEqual(problems, ["dependency_down:db: fire delivered twice with no kill while it was in flight"])
        # A kill long after the first copy was answered explains nothing.
        problems, _ = judge(faults, accepted, kills=[15.0])
        self.assertEqual(len(problems), 1)


class SecretsTests(unittest.TestCase):
    def test_a_token_in_a_log_line_is_found_and_named_by_file_and_line(self):
        with tempfile.TemporaryDirectory() as workdir:
            with open(os.path.join(workdir, "stdout.log"), "w") as log:
                log.write("fine\n")
            with open(os.path.join(workdir, "stderr.log"), "w") as log:
                log.write("fine\n" + f"POST /bot{TOKEN}/sendMessage failed\n")
            leaks = secrets_in_logs(workdir)
        self.assertTrue(leaks)
        self.assertTrue(all(leak == "stderr.log:2 holds a secret" for leak in leaks))

    def test_clean_logs_have_no_leak(self):
        with tempfile.TemporaryDirectory() as workdir:
            for name in ("stdout.log", "stderr.log"):
                with open(os.path.join(workdir, name), "w") as log:
                    log.write("notification delivered channel=telegram\n")
            self.assertEqual(secrets_in_logs(workdir), [])


if __name__ == "__main__":
    unittest.main()
