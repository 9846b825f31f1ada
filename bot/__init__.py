"""ReportQA front ends: command line, REPL and Telegram bot. They call ``Engine.answer`` and render."""
