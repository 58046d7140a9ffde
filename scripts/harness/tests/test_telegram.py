"""The harness's Telegram stand-in answers sendMessage as the shared table says, the
same table the Swift stand-in is held to (TelegramConformanceTests)."""

import json
import os
import unittest
import urllib.error
import urllib.request

from harness.common import CHAT_ID, TOKEN, serve
from harness.telegram import judge_send_message, telegram_handler
from harness.world import World

TABLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "Tests", "TestSupport", "TelegramConformance",
                     "sendMessage.json")


def load_cases():
    with open(TABLE, encoding="utf-8") as file:
        return json.load(file)["cases"]


def body_of(case, chat_id):
    body = {"chat_id": chat_id, "text": case.get("text", "") * case.get("repeat", 1)}
    if "parse_mode" in case:
        body["parse_mode"] = case["parse_mode"]
    for field in case.get("omit", []):
        body.pop(field, None)
    return json.dumps(body).encode()


class TelegramConformanceTests(unittest.TestCase):
    def test_the_table_has_cases_of_every_kind(self):
        cases = load_cases()
        self.assertGreaterEqual(len(cases), 10)
        self.assertTrue(any(case["status"] == 200 for case in cases))
        self.assertTrue(any(case["status"] == 400 for case in cases))

    def test_the_stand_in_answers_every_case_as_telegram_does(self):
        world = World()
        server = serve(telegram_handler(world))
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            for case in load_cases():
                with self.subTest(case["name"]):
                    token = "1:wrong" if case.get("wrong_token") else TOKEN
                    url = f"{base}/bot{token}/{case.get('method', 'sendMessage')}"
                    request = urllib.request.Request(url, data=body_of(case, CHAT_ID), method="POST",
                                                     headers={"Content-Type": "application/json"})
                    try:
                        with urllib.request.urlopen(request, timeout=5) as answer:
                            status, payload = answer.status, json.load(answer)
                    except urllib.error.HTTPError as error:
                        status, payload = error.code, json.load(error)
                    self.assertEqual(status, case["status"])
                    self.assertEqual(payload["ok"], status == 200)
                    if "description" in case:
                        self.assertEqual(payload["description"], case["description"])
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(len(world.accepted), sum(1 for case in load_cases() if case["status"] == 200))

    def test_another_chat_is_not_found(self):
        self.assertEqual(judge_send_message(json.dumps({"chat_id": "1", "text": "hi"}).encode(), CHAT_ID),
                         "Bad Request: chat not found")


if __name__ == "__main__":
    unittest.main()


class TelegramEditTests(unittest.TestCase):
    def post(self, base, method, body):
        request = urllib.request.Request(f"{base}/bot{TOKEN}/{method}", data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def test_an_edit_needs_the_message_and_a_change(self):
        world = World()
        server = serve(telegram_handler(world))
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            status, payload = self.post(base, "sendMessage", {"chat_id": CHAT_ID, "text": "fire"})
            self.assertEqual(status, 200)
            message_id = payload["result"]["message_id"]
            self.assertEqual(self.post(base, "editMessageText",
                                       {"chat_id": CHAT_ID, "message_id": message_id, "text": "fire, resolved"})[0], 200)
            status, payload = self.post(base, "editMessageText",
                                        {"chat_id": CHAT_ID, "message_id": message_id, "text": "fire, resolved"})
            self.assertEqual(status, 400)
            self.assertIn("message is not modified", payload["description"])
            status, payload = self.post(base, "editMessageText", {"chat_id": CHAT_ID, "message_id": 99, "text": "x"})
            self.assertEqual((status, payload["description"]), (400, "Bad Request: message to edit not found"))
            self.assertEqual(world.edits, [(message_id, "fire, resolved")])
            self.assertEqual(len(world.accepted), 1)
        finally:
            server.shutdown()
