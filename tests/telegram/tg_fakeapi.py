"""A fake Telegram Bot API: records what the bot sends and feeds it updates.

:class:`FakeTelegram` is the API itself (thread-safe, no I/O). :class:`CaptureRequest` plugs it
into python-telegram-bot in-process (unit tests); :class:`FakeBotAPIServer` serves it over HTTP on
127.0.0.1 for a real bot process (end-to-end tests). Faults (429 with retry_after, HTTP 500,
dropped connections) can be queued per method or decided by a policy function.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

BOT_ID = 123456
BOT_USERNAME = "ReportQABot"
TOKEN = f"{BOT_ID}:TEST-token-abcdefghijklmnopqrstuvwxyz"

# Parameters sent as JSON text inside the form body.
_JSON_KEYS = {
    "reply_markup",
    "commands",
    "results",
    "reply_parameters",
    "entities",
    "link_preview_options",
    "allowed_updates",
    "button",
    "scope",
    "is_personal",
    "show_alert",
}
_INT_KEYS = {"chat_id", "offset", "limit", "timeout", "message_id", "reply_to_message_id", "cache_time"}


@dataclass(frozen=True)
class Fault:
    """``kind`` is "retry_after" (HTTP 429), "status" (an HTTP error code) or "drop" (close the socket)."""

    kind: str
    value: int = 0
    description: str = "Internal Server Error"


RETRY_AFTER = Fault("retry_after", 1)
SERVER_ERROR = Fault("status", 500)
DROP = Fault("drop")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None
    at: float = field(default_factory=time.monotonic)


class Dropped(Exception):
    """The connection is to be closed without an answer."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[dict]:
    """Entities Telegram would attach: a leading /command and @mentions (UTF-16 offsets)."""
    out = []
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        out.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group())})
    for match in re.finditer(r"(?<![A-Za-z0-9_/])@[A-Za-z0-9_]{5,}", text):
        out.append({"type": "mention", "offset": utf16_len(text[: match.start()]), "length": utf16_len(match.group())})
    return out


async def feed(app: Any, update: dict, update_id: int = 1) -> None:
    """Process one update (``{"message": ...}`` etc.) through an application, in-process."""
    from telegram import Update

    await app.process_update(Update.de_json({"update_id": update_id, **update}, app.bot))


class FakeTelegram:
    """The Bot API's state: queued updates, sent messages, recorded calls, faults."""

    def __init__(self, token: str = TOKEN, *, max_poll_wait: float = 2.0):
        self.token = token
        self.max_poll_wait = max_poll_wait
        self.calls: list[Call] = []
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.fault_policy: Callable[[str, dict], Fault | None] | None = None
        self.faults_served: list[tuple[str, Fault]] = []
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._chats: dict[int, dict] = {}
        self._cond = threading.Condition()
        self._closed = False
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "ReportQA",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    # --- feeding updates ---------------------------------------------------------------------
    def _chat(self, chat_id: int, kind: str) -> dict:
        chat = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = f"用户{chat_id}"
        else:
            chat["title"] = f"群组{chat_id}"
        self._chats[chat_id] = chat
        return chat

    @staticmethod
    def user(user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}", "language_code": "zh-hans"}

    def push(self, update: dict) -> int:
        with self._cond:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
            self._cond.notify_all()
            return update_id

    def message(
        self,
        chat_id: int,
        text: str | None = None,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        reply_to: dict | None = None,
        extra: dict | None = None,
        entities: list[dict] | None = None,
    ) -> dict:
        """A user's message as Telegram sends it (not queued)."""
        user_id = user_id if user_id is not None else chat_id
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type),
            "from": self.user(user_id),
        }
        if text is not None:
            message["text"] = text
            found = auto_entities(text) if entities is None else entities
            if found:
                message["entities"] = found
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if extra:
            message.update(extra)
        return message

    def callback(self, user_id: int, message: dict, data: str) -> dict:
        return {
            "id": f"cb{next(self._update_ids)}",
            "from": self.user(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": message,
        }

    def inline(self, user_id: int, query: str) -> dict:
        return {"id": f"iq{next(self._update_ids)}", "from": self.user(user_id), "query": query, "offset": ""}

    def push_message(self, chat_id: int, text: str | None = None, **kwargs: Any) -> int:
        return self.push({"message": self.message(chat_id, text, **kwargs)})

    def push_callback(self, user_id: int, message: dict, data: str) -> int:
        return self.push({"callback_query": self.callback(user_id, message, data)})

    def push_inline(self, user_id: int, query: str) -> int:
        return self.push({"inline_query": self.inline(user_id, query)})

    # --- looking at what the bot did ---------------------------------------------------------
    def calls_of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def sent_to(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls_of("sendMessage") if int(c.params["chat_id"]) == chat_id]

    def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 15.0) -> Any:
        """Wait until ``predicate(calls)`` is truthy; return its value or raise ``TimeoutError``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate(list(self.calls))
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"condition not met in {timeout} s; calls: "
                        f"{[(c.method, c.params.get('chat_id')) for c in self.calls][-20:]}"
                    )
                self._cond.wait(min(left, 0.2))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # --- the API -----------------------------------------------------------------------------
    def _fault_for(self, method: str, params: dict) -> Fault | None:
        with self._cond:
            queue = self.faults.get(method)
            fault = queue.popleft() if queue else None
        if fault is None and self.fault_policy is not None:
            fault = self.fault_policy(method, params)
        if fault is not None:
            with self._cond:
                self.faults_served.append((method, fault))
        return fault

    def handle(self, token: str, method: str, params: dict) -> tuple[int, dict]:
        """One API call: ``(http status, json body)``; raises :class:`Dropped` for a dropped call."""
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        fault = self._fault_for(method, params)
        if fault is not None:
            if fault.kind == "drop":
                raise Dropped()
            if fault.kind == "retry_after":
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "parameters": {"retry_after": fault.value},
                    "description": f"Too Many Requests: retry after {fault.value}",
                }
            return fault.value, {"ok": False, "error_code": fault.value, "description": fault.description}
        if method == "getUpdates":
            result = self._get_updates(params)
        else:
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                return 404, {"ok": False, "error_code": 404, "description": f"Not Found: method {method}"}
            status, result = handler(params)
            if status != 200:
                return status, result
        with self._cond:
            if method != "getUpdates" or result:
                self.calls.append(Call(method, params, result))
            self._cond.notify_all()
        return 200, {"ok": True, "result": result}

    def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), self.max_poll_wait)
        deadline = time.monotonic() + timeout
        with self._cond:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return list(self._updates[: int(params.get("limit") or 100)])

    def _sent_message(self, params: dict) -> dict:
        chat_id = int(params["chat_id"])
        chat = self._chats.get(chat_id) or {"id": chat_id, "type": "private", "first_name": "x"}
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _api_getMe(self, params: dict) -> tuple[int, Any]:
        return 200, self.bot_user

    def _api_sendMessage(self, params: dict) -> tuple[int, Any]:
        text = params.get("text", "")
        if not text.strip():
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
        if utf16_len(text) > 4096:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
        return 200, self._sent_message(params)

    def _api_editMessageText(self, params: dict) -> tuple[int, Any]:
        message = self._sent_message(params)
        message["message_id"] = int(params.get("message_id", 0))
        return 200, message

    def _true(self, params: dict) -> tuple[int, Any]:
        return 200, True

    _api_deleteWebhook = _api_setWebhook = _api_answerCallbackQuery = _true
    _api_sendChatAction = _api_setMyCommands = _api_answerInlineQuery = _api_close = _true


def parse_params(fields: dict[str, str]) -> dict[str, Any]:
    """Form fields as the Bot API reads them (JSON for objects, numbers for ids)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in _JSON_KEYS:
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        elif key in _INT_KEYS:
            try:
                out[key] = int(value)
            except ValueError:
                out[key] = value
        else:
            out[key] = value
    return out


class CaptureRequest(BaseRequest):
    """python-telegram-bot's HTTP layer replaced by direct calls into a :class:`FakeTelegram`."""

    def __init__(self, api: FakeTelegram):
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        match = re.search(r"/bot([^/]+)/(\w+)$", url)
        token, api_method = match.group(1), match.group(2)
        fields = {k: str(v) for k, v in (request_data.json_parameters if request_data else {}).items()}
        try:
            status, body = self.api.handle(token, api_method, parse_params(fields))
        except Dropped:
            raise NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response.") from None
        return status, json.dumps(body).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeBotAPIServer

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        match = re.match(r"^/bot([^/]+)/(\w+)$", self.path.split("?")[0])
        if not match:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype and body:
            fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()}
        else:
            fields = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
        try:
            status, payload = self.server.api.handle(match.group(1), match.group(2), parse_params(fields))
        except Dropped:
            self.close_connection = True
            return
        self._reply(status, payload)

    do_GET = do_POST

    def _reply(self, status: int, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:  # the client went away (a cancelled long poll)
            self.close_connection = True


class FakeBotAPIServer(ThreadingHTTPServer):
    """:class:`FakeTelegram` over HTTP on 127.0.0.1 (a free port), served from a thread."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client that went away
        pass

    def __init__(self, api: FakeTelegram | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api or FakeTelegram()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/bot"

    def __enter__(self) -> FakeBotAPIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.api.close()
        self.shutdown()
        self.server_close()
