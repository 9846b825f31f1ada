"""``reportqa`` / ``python -m bot``: ask, index, repl, eval and telegram subcommands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from config import ConfigError
from retrieval import CorpusError

from . import render
from .evaluate import run_eval_command
from .repl import run_repl
from .startup import open_engine, settings_from

EXIT_USAGE = 2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", metavar="DIR", help="报告所在文件夹（递归读取），默认为 seeds/")
    parser.add_argument("--config", metavar="FILE", help="配置文件（TOML），也可用环境变量 REPORTQA_CONFIG")
    parser.add_argument("--cache-dir", metavar="DIR", help="索引缓存文件夹")
    parser.add_argument("--top-k", type=int, metavar="N", help="每个答案返回的句子数（默认 3）")
    parser.add_argument("--quiet", "-q", action="store_true", help="不显示进度")
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportqa",
        description="从中文工作报告中检索答案：返回原文句子并注明出处。",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")

    ask = sub.add_parser("ask", help="提一个问题", description="提一个问题，返回带出处的原文句子。")
    _common(ask)
    ask.add_argument("question", nargs="?", help="问题，例如：古丈县现有各级各类学校多少所？")
    ask.add_argument("--json", action="store_true", help="输出 JSON")
    ask.add_argument("--questions", metavar="FILE", help="从文件逐行读取问题（- 表示标准输入）")
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="与 --questions 一起用：相邻的行是同一段对话（可以追问，如“那长葛呢？”），空行开始新的对话",
    )

    index = sub.add_parser("index", help="建立或刷新索引", description="建立或刷新索引，并显示收录情况。")
    _common(index)
    index.add_argument("--rebuild", action="store_true", help="忽略缓存，完全重建")
    index.add_argument(
        "--details",
        action="store_true",
        help="逐个文件列出读取情况：段落、表格、文字识别的页、拆分出的文件，以及未能读取的内容",
    )

    repl = sub.add_parser("repl", help="交互式问答", description="交互式问答（也可从管道逐行读取问题）。")
    _common(repl)

    ev = sub.add_parser("eval", help="评测答案质量", description="在问题集上评测检索与答案质量。")
    _common(ev)
    ev.add_argument(
        "questions_file",
        metavar="FILE",
        nargs="?",
        help="问题集：项目 JSONL 格式或 SQuAD 格式 JSON；默认为 tests/data/dev.jsonl",
    )
    ev.add_argument("--json", action="store_true", help="以 JSON 输出指标")
    ev.add_argument("--limit", type=int, metavar="N", help="只评测前 N 个问题")
    ev.add_argument("--failures", metavar="FILE", help="把未命中的问题写入此文件（JSONL）")
    ev.add_argument(
        "--as-conversation",
        action="store_true",
        help="另把全部问题当作一段长对话连续提问，统计第一句与单独提问相同的比例",
    )

    tg = sub.add_parser(
        "telegram", help="运行 Telegram 机器人", description="运行 Telegram 机器人（长轮询或 webhook）。"
    )
    _common(tg)
    tg.add_argument("--webhook-url", metavar="URL", help="以 webhook 方式运行，Telegram 访问的公开地址")
    tg.add_argument("--listen", metavar="ADDR", default="127.0.0.1", help="webhook 监听地址（默认 127.0.0.1）")
    tg.add_argument("--port", type=int, default=8443, help="webhook 监听端口（默认 8443）")
    tg.add_argument("--secret-token", metavar="TOKEN", help="webhook 密钥（默认读取 TELEGRAM_WEBHOOK_SECRET）")
    return parser


def cmd_ask(args: argparse.Namespace) -> int:
    if args.questions is None and args.question is None:
        print("错误：请给出问题，或用 --questions FILE 从文件读取。", file=sys.stderr)
        return EXIT_USAGE
    if args.questions is not None:
        try:
            if args.questions == "-":
                stream = sys.stdin
            else:
                stream = open(args.questions, encoding="utf-8", errors="replace")  # noqa: SIM115 (closed by the with below)
        except OSError as exc:
            print(f"错误：无法读取问题文件 {args.questions}：{exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    engine = open_engine(settings_from(args), args)
    if args.questions is None:
        questions: Sequence[str] = [args.question]
    else:
        with stream:
            questions = [line.rstrip("\r\n") for line in stream]
    if args.conversation and args.questions is None:
        print("错误：--conversation 需要与 --questions FILE 一起使用。", file=sys.stderr)
        return EXIT_USAGE
    conversation = None
    for question in questions:
        if args.conversation:
            if not question.strip():
                conversation = None  # an empty line starts a new conversation
                continue
            answer, conversation = engine.ask_in(conversation, question)
        else:
            answer = engine.answer(question)
        print(render.answer_json(answer) if args.json else render.answer_text(answer))
        if not args.json and len(questions) > 1:
            print()
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    engine = open_engine(settings_from(args), args, rebuild=args.rebuild)
    print(render.index_report_text(engine.report, details=args.details))
    notes = render.reading_notes_text(engine.corpus.docs)
    if notes:
        print(notes)
    print(render.semantic_status_text(engine.semantic_status))
    return 0


def cmd_repl(args: argparse.Namespace) -> int:
    engine = open_engine(settings_from(args), args)
    return run_repl(engine)


def cmd_eval(args: argparse.Namespace) -> int:
    return run_eval_command(args, settings_from(args))


def cmd_telegram(args: argparse.Namespace) -> int:
    # Imported here only so that the other commands start without loading python-telegram-bot.
    from .telegram.app import run_telegram_command

    return run_telegram_command(args, settings_from(args))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ask": cmd_ask,
    "index": cmd_index,
    "repl": cmd_repl,
    "eval": cmd_eval,
    "telegram": cmd_telegram,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, CorpusError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: one line for the user, the traceback only with --debug
        if getattr(args, "debug", False) or os.environ.get("REPORTQA_DEBUG"):
            raise
        print(f"内部错误：{type(exc).__name__}: {exc}（加 --debug 查看详情）", file=sys.stderr)
        return 1
