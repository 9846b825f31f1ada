"""Time in the reports and in questions.

Which year a report is (:mod:`.report`), which year each of its sections and sentences is about
(:mod:`.periods`), the years and time words written in text (:mod:`.years`), lead-ins
(:mod:`.leadins`), and the time a question asks about (:mod:`.when`). Pure functions of text; no
index, no I/O except reading ``config/dating.toml`` once. The conventions (see docs/time.md):

* A **work report** (政府工作报告 and plan-style documents) of year Y is delivered early in Y:
  it reviews Y-1 (去年, 过去一年) and sets the targets of Y (今年).
* A **summary** (工作总结, 总结及下一年计划) of year Y is written at the end of Y: it reviews Y
  (今年, 过去一年) and plans Y+1 (明年, 下一步).
* A period spanning several years (过去五年, 本届政府, 近年来, 2016—2020年) is no single year:
  the period is ``None``.
"""
