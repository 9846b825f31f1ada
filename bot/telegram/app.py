"""``reportqa telegram``: build the application and run it with long polling or a webhook."""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import sys
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults
from telegram.request import BaseRequest

from config import Settings
from retrieval.engine import EngineHolder

from ..startup import open_engine
from . import handlers
from .logs import configure_logging
from .state import STATE_KEY, BotState

log = logging.getLogger(__name__)

EXIT_CONFIG = 2
EXIT_FAILED = 1
CONCURRENT_UPDATES = 64
BOOTSTRAP_RETRIES = 3
POLL_TIMEOUT = 10  # seconds a getUpdates call may wait for news

_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot be a bot token (a Chinese sentence, never quoting it), or ``None``."""
    if not token:
        return (
            "没有找到 Telegram 机器人令牌：请设置环境变量 TELEGRAM_BOT_TOKEN（向 @BotFather 申请），"
            '或写在不入库的配置文件里（telegram_token = "…"）。'
        )
    if not _TOKEN.match(token):
        return "Telegram 机器人令牌格式不对（应形如 123456789:AAE…，冒号前是数字），请检查 TELEGRAM_BOT_TOKEN。"
    return None


def file_base_url(base_url: str) -> str:
    """The file URL that goes with a Bot API base URL (``…/bot`` → ``…/file/bot``)."""
    stripped = base_url.rstrip("/")
    if stripped.endswith("/bot"):
        return stripped[: -len("/bot")] + "/file/bot"
    return stripped + "/file/bot"


def build_application(
    settings: Settings,
    holder: EngineHolder,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    with_updater: bool = True,
) -> Application:
    """The configured application with every handler registered.

    ``request``/``get_updates_request`` replace the HTTP layer (tests); otherwise the timeouts,
    ``settings.telegram_proxy`` and ``settings.telegram_api_base_url`` apply.
    """
    builder = (
        ApplicationBuilder()
        .token(token or settings.telegram_token)
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(handlers.post_init)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
    )
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder.base_url(base).base_file_url(file_base_url(base))
    if request is not None:
        builder.request(request)
    else:
        builder.connect_timeout(10).read_timeout(20).write_timeout(20).pool_timeout(10)
        builder.connection_pool_size(CONCURRENT_UPDATES)
        if settings.telegram_proxy:
            builder.proxy(settings.telegram_proxy)
    if get_updates_request is not None:
        builder.get_updates_request(get_updates_request)
    else:
        builder.get_updates_connect_timeout(10).get_updates_read_timeout(POLL_TIMEOUT + 10)
        if settings.telegram_proxy:
            builder.get_updates_proxy(settings.telegram_proxy)
    if not with_updater:
        builder.updater(None)
    application = builder.build()
    application.bot_data[STATE_KEY] = BotState.create(settings, holder)
    handlers.register(application)
    return application


def _webhook_secret(args: argparse.Namespace) -> str:
    return getattr(args, "secret_token", None) or os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")


def _check_webhook(args: argparse.Namespace) -> str | None:
    url = urlsplit(args.webhook_url)
    if url.scheme not in ("https", "http") or not url.hostname:
        return "--webhook-url 必须是完整的网址，例如 https://example.com/reportqa"
    secret = _webhook_secret(args)
    if secret and not _SECRET.match(secret):
        return "webhook 密钥只能包含字母、数字、下划线和连字符（1–256 个字符）。"
    if not 0 < args.port < 65536:
        return "--port 必须在 1 到 65535 之间。"
    return None


def run_telegram_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot until Ctrl-C or SIGTERM; returns the process exit code."""
    token = settings.telegram_token.strip()
    problem = token_problem(token)
    if problem:
        print(f"错误：{problem}", file=sys.stderr)
        return EXIT_CONFIG
    webhook = getattr(args, "webhook_url", None)
    if webhook:
        problem = _check_webhook(args)
        if problem:
            print(f"错误：{problem}", file=sys.stderr)
            return EXIT_CONFIG
    secret = (_webhook_secret(args) or secrets.token_urlsafe(32)) if webhook else ""
    redactor = configure_logging([token, secret], quiet=args.quiet, debug=args.debug)
    # Serve at once; sentence vectors, if wanted and not cached, are built in the background
    # and switched in when ready (BM25-only answers until then).
    holder = EngineHolder(open_engine(settings, args, semantic="background"))
    status = holder.engine.semantic_status
    log.info("Semantic matching: %s (%s)", status.state if status.enabled else "off", status.reason)
    try:
        application = build_application(settings, holder, token=token)
    except (ValueError, TypeError) as exc:  # e.g. an unusable proxy URL
        print(
            f"错误：无法创建 Telegram 客户端：{redactor.redact(str(exc))}"
            "（请检查 TELEGRAM_PROXY / TELEGRAM_API_BASE_URL）",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    try:
        if webhook:
            path = urlsplit(webhook).path.strip("/")
            log.info("Webhook mode: listening on %s:%s/%s", args.listen, args.port, path)
            application.run_webhook(
                listen=args.listen,
                port=args.port,
                url_path=path,
                webhook_url=webhook,
                secret_token=secret,
                allowed_updates=handlers.ALLOWED_UPDATES,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            log.info("Long polling mode")
            application.run_polling(
                timeout=POLL_TIMEOUT, allowed_updates=handlers.ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES
            )
    except InvalidToken:
        print("错误：Telegram 不接受这个令牌，请检查 TELEGRAM_BOT_TOKEN。", file=sys.stderr)
        return EXIT_CONFIG
    except (NetworkError, TelegramError) as exc:
        print(
            f"错误：无法连接 Telegram（{type(exc).__name__}: {redactor.redact(str(exc))}）。"
            "请检查网络、TELEGRAM_PROXY 或 TELEGRAM_API_BASE_URL。",
            file=sys.stderr,
        )
        return EXIT_FAILED
    log.info("Stopped")
    return 0
