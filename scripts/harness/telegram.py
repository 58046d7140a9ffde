"""The Telegram Bot API stand-in: sendMessage as Telegram answers it, with faults."""

import http.server
import json
import random
import time

from .common import CHAT_ID, HTTP_TIMEOUT, LOCK, TOKEN, now

# The HTML tags Telegram's parse_mode HTML accepts.
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                "span", "blockquote", "tg-emoji"}
ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HTMLProblem(ValueError):
    pass


def parse_html(html):
    """Telegram's HTML rules: the visible text, or HTMLProblem saying what is wrong.
    The same rules as Tests/TestSupport/TelegramStandIn.swift; both are held to
    Tests/TestSupport/TelegramConformance/sendMessage.json."""
    visible, opened, index = [], [], 0
    while index < len(html):
        character = html[index]
        if character == "<":
            close = html.find(">", index)
            if close < 0:
                raise HTMLProblem("unclosed start tag")
            tag = html[index + 1:close]
            closing = tag.startswith("/")
            if closing:
                tag = tag[1:]
            name = tag.split(" ", 1)[0].lower()
            if name not in ALLOWED_TAGS:
                raise HTMLProblem(f'Unsupported start tag "{name}"')
            if closing:
                if not opened or opened[-1] != name:
                    raise HTMLProblem(f'Unmatched end tag "{name}"')
                opened.pop()
            else:
                opened.append(name)
            index = close + 1
        elif character == "&":
            semicolon = html.find(";", index, index + 12)
            if semicolon < 0:
                raise HTMLProblem("unescaped &")
            entity = html[index + 1:semicolon]
            if entity in ENTITIES:
                visible.append(ENTITIES[entity])
            elif entity.startswith("#") and entity[1:].isdigit() and int(entity[1:]) <= 0x10FFFF:
                visible.append(chr(int(entity[1:])))
            else:
                raise HTMLProblem(f"unsupported entity &{entity};")
            index = semicolon + 1
        else:
            visible.append(character)
            index += 1
    if opened:
        raise HTMLProblem(f"Can't find end tag corresponding to start tag \"{opened[-1]}\"")
    return "".join(visible)


def judge_send_message(body, chat_id):
    """What Telegram says to a sendMessage body: None when it takes the message, else the
    400's description."""
    try:
        request = json.loads(body)
    except ValueError:
        return "Bad Request: message text is empty"
    if not isinstance(request, dict) or not isinstance(request.get("text"), str):
        return "Bad Request: message text is empty"
    chat = request.get("chat_id")
    if chat is None or str(chat) == "":
        return "Bad Request: chat_id is empty"
    if str(chat) != chat_id:
        return "Bad Request: chat not found"
    text = request["text"]
    if request.get("parse_mode") == "HTML":
        try:
            text = parse_html(text)
        except HTMLProblem as problem:
            return f"Bad Request: can't parse entities: {problem}"
    if not text:
        return "Bad Request: message text is empty"
    # Telegram counts 4096 UTF-16 units after entity parsing: tags are not text.
    if len(text.encode("utf-16-le")) // 2 > 4096:
        return "Bad Request: message is too long"
    return None


def telegram_handler(world):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            received = now()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if not self.path.startswith(f"/bot{TOKEN}/"):
                return self.reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            if self.path == f"/bot{TOKEN}/editMessageText":
                return self.edit(body)
            if self.path != f"/bot{TOKEN}/sendMessage":
                return self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
            problem = judge_send_message(body, CHAT_ID)
            if problem:
                with LOCK:
                    world.telegram_answers["invalid"] += 1
                return self.reply(400, {"ok": False, "error_code": 400, "description": problem})
            text = json.loads(body)["text"]
            with LOCK:
                mode = world.telegram
            if mode == "429":
                with LOCK:
                    world.telegram_answers["429"] += 1
                return self.reply(429, {"ok": False, "error_code": 429,
                                        "description": "Too Many Requests: retry after 1",
                                        "parameters": {"retry_after": 1}})
            if mode == "500":
                with LOCK:
                    world.telegram_answers["500"] += 1
                return self.reply(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
            if mode == "timeout":
                with LOCK:
                    world.telegram_answers["timeout"] += 1
                time.sleep(HTTP_TIMEOUT * 4)  # the client gave up; the message was not taken
                self.close_connection = True
                return
            delay = random.uniform(*world.answer_delay)
            with LOCK:
                if world.accepted:
                    world.send_gaps.append(received - world.accepted[-1]["received"])
                message_id = len(world.accepted) + 1
                entry = {"text": text, "received": received, "answered": None}
                world.accepted.append(entry)
                world.telegram_answers["ok"] += 1
            time.sleep(delay)
            self.reply(200, {"ok": True, "result": {"message_id": message_id, "date": int(time.time()),
                                                    "chat": {"id": int(CHAT_ID), "type": "private"},
                                                    "text": text}})
            entry["answered"] = now()

        def edit(self, body):
            """editMessageText as Telegram answers it: the message must exist and change."""
            try:
                request = json.loads(body)
                message_id, text = int(request["message_id"]), request["text"]
            except (ValueError, KeyError, TypeError):
                return self.reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"})
            with LOCK:
                known = 1 <= message_id <= len(world.accepted)
                current = [t for i, t in world.edits if i == message_id]
                unchanged = (current[-1] if current else (world.accepted[message_id - 1]["text"] if known else None)) == text
                if known and not unchanged:
                    world.edits.append((message_id, text))
            if not known:
                return self.reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: message to edit not found"})
            if unchanged:
                return self.reply(400, {"ok": False, "error_code": 400,
                                        "description": "Bad Request: message is not modified: specified new message "
                                                       "content and reply markup are exactly the same as a current "
                                                       "content and reply markup of the message"})
            self.reply(200, {"ok": True, "result": {"message_id": message_id, "date": int(time.time()),
                                                    "chat": {"id": int(CHAT_ID), "type": "private"}, "text": text}})

        def reply(self, status, payload):
            body = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    return Handler
