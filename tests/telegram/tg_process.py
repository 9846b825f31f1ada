"""Running the real bot as a subprocess against the fake Bot API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tg_fakeapi import TOKEN, FakeBotAPIServer

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
START_TIMEOUT = 120  # the first run may build the index
CLEAN_ENV_VARS = (
    "TELEGRAM_PROXY",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "TELEGRAM_ALLOWED_IDS",
    "TELEGRAM_ADMIN_IDS",
    "TELEGRAM_WEBHOOK_SECRET",
)


class BotProcess:
    """A bot subprocess whose output goes to files (read after it ends)."""

    def __init__(
        self, server: FakeBotAPIServer, cache: Path, folder: Path, *extra: str, token: str = TOKEN, quiet: bool = True
    ):
        env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV_VARS}
        env.update(
            TELEGRAM_BOT_TOKEN=token,
            TELEGRAM_API_BASE_URL=server.base_url,
            REPORTQA_CACHE_DIR=str(cache),
            PYTHONUNBUFFERED="1",
        )
        self.api = server.api
        self.out_path = folder / "stdout.txt"
        self.err_path = folder / "stderr.txt"
        cmd = [sys.executable, "-m", "bot", "telegram", "--corpus", str(SEEDS), *(["--quiet"] if quiet else []), *extra]
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err)

    def wait_ready(self, method: str = "setMyCommands", timeout: float = START_TIMEOUT) -> None:
        """Wait for the bot's first call of ``method``; fail with its output if it exits or hangs."""
        try:
            self.api.wait_for(
                lambda calls: any(c.method == method for c in calls) or self.proc.poll() is not None, timeout
            )
        except TimeoutError:
            raise AssertionError(f"bot not ready in {timeout} s; output:\n{self.output()[-3000:]}") from None
        if self.proc.poll() is not None:
            raise AssertionError(f"bot exited with {self.proc.returncode}; output:\n{self.output()[-3000:]}")

    def output(self) -> str:
        return self.out_path.read_text() + self.err_path.read_text()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` (SIGTERM, or SIGINT as Ctrl-C does) and return the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=10)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
