"""Fixtures for the Telegram tests: a fake Bot API and applications wired to it in-process."""

from __future__ import annotations

import pytest
from tg_fakeapi import TOKEN, CaptureRequest, FakeTelegram

from bot.telegram import handlers
from bot.telegram.app import build_application
from retrieval import EngineHolder


@pytest.fixture
def api() -> FakeTelegram:
    return FakeTelegram(max_poll_wait=0)


@pytest.fixture
async def make_app(settings, engine, api):
    """``await make_app(**setting_overrides)``: an initialised application talking to ``api``."""
    apps = []

    async def make(holder: EngineHolder | None = None, **overrides):
        app_settings = settings.replace(telegram_token=TOKEN, **overrides)
        app = build_application(
            app_settings,
            holder or EngineHolder(engine),
            request=CaptureRequest(api),
            get_updates_request=CaptureRequest(api),
            with_updater=False,
        )
        await app.initialize()
        await handlers.post_init(app)
        apps.append(app)
        return app

    yield make
    for app in apps:
        await app.shutdown()
