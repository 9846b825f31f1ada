"""The interactive prompt. With a terminal: line editing and history; with a pipe: one answer per line."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TextIO

from retrieval.dialogue.followup import Conversation
from retrieval.engine import Engine
from retrieval.types import Answer, Passage

from . import render

HELP = """\
直接输入问题并回车即可，例如：古丈县现有各级各类学校多少所？
可以接着追问，例如：其中高中有几所？、那长葛呢？、老师呢？、去年呢？（会注明按什么问题理解）
命令：
  :help      显示本帮助
  :sources   列出已收录的报告
  :open N    查看上一个答案第 N 条出处的整段原文
  :new       开始新的对话（之后的问题不再接着前面的问题理解）
  :quit      退出（也可按 Ctrl-D）"""

HISTORY = Path(os.environ.get("REPORTQA_HISTORY", Path.home() / ".reportqa_history"))


class Session:
    """The state of one REPL session: the engine, the conversation (for follow-up questions)
    and the last answer (for ``:open``)."""

    def __init__(self, engine: Engine, out: TextIO):
        self.engine = engine
        self.out = out
        self.last: Answer | None = None
        self.conversation: Conversation | None = None

    def say(self, text: str) -> None:
        print(render.terminal_safe(text), file=self.out, flush=True)

    def handle(self, line: str) -> bool:
        """Handle one input line; False means quit."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            cmd, _, arg = line[1:].partition(" ")
            cmd = cmd.lower()
            if cmd in ("quit", "q", "exit"):
                return False
            if cmd in ("help", "h", "?"):
                self.say(HELP)
            elif cmd == "sources":
                self.say(render.sources_text(self.engine.documents))
            elif cmd == "open":
                self.open_citation(arg.strip())
            elif cmd == "new":
                self.conversation = None
                self.say("已开始新的对话。")
            else:
                self.say(f"未知命令 :{cmd}。输入 :help 查看可用命令。")
            return True
        self.last, self.conversation = self.engine.ask_in(self.conversation, line)
        self.say(render.answer_text(self.last))
        return True

    def open_citation(self, arg: str) -> None:
        shown = () if self.last is None else self.last.sentences or self.last.closest
        if not shown:
            self.say("还没有可以打开的出处：请先提一个问题。")
            return
        count = len(shown)
        if not arg.isdigit() or not 1 <= int(arg) <= count:
            self.say(f"用法：:open N，N 为 1 到 {count} 之间的编号。")
            return
        sentence = shown[int(arg) - 1]
        passage = Passage(self.engine.paragraph(sentence.citation), sentence.citation)
        self.say(render.passage_text(passage, (sentence.citation.start, sentence.citation.end)))


def _setup_readline() -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - not on every platform
        return
    with contextlib.suppress(OSError, ValueError):
        readline.read_history_file(HISTORY)
    readline.set_history_length(1000)
    import atexit

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(HISTORY)

    atexit.register(save)


def run_repl(engine: Engine, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    session = Session(engine, out)
    if not stdin.isatty():
        for line in stdin:
            if not session.handle(line.rstrip("\r\n")):
                break
        return 0
    _setup_readline()
    docs = engine.corpus.docs
    session.say(f"ReportQA：已载入 {len(docs)} 份报告。输入问题后回车；:help 查看命令，:quit 退出。")
    while True:
        try:
            line = input("问> ")
        except EOFError:
            session.say("")
            return 0
        except KeyboardInterrupt:
            session.say("")
            continue
        if not session.handle(line):
            return 0
