# %% [markdown]
# # 10 · Interview prep
#
# Every module of this course ends with questions an interviewer might ask. This notebook puts them
# all in one place: a **question bank** of model answers checked against the current AWS
# documentation, each linked to the notebook cell where the kit shows the answer live. It includes
# all twelve questions of the seed material, answered correctly for today, with a note on where the
# seed is out of date (billing per 100 ms, 512 MB of `/tmp`, `python3.9`, "reserved capacity" ...).
#
# You will quiz yourself (multiple choice and free recall), see your score by topic and level, review
# what you missed with a link to its proof, and run a timed mock interview. The same bank drives
# `lambda-lab drill` in a terminal, and your answers here count there too.

# %%
from reference_app import lab
from reference_app.lab import questions

lab.start_lesson("10_interview_prep")

# %% [markdown]
# ## 1. The bank at a glance
#
# Questions per module and level. *Basic* checks vocabulary and facts, *intermediate* asks how and
# why, *advanced* asks you to design, debug or defend a trade-off.

# %% tags=["proof-bank"]
overview = questions.overview()
assert overview.loc["total", "total"] >= 80
overview

# %% [markdown]
# The seed material's twelve questions (nine interview questions and three discussion questions), and
# where each is answered. Every answer names the seed's claims it corrects.

# %% tags=["proof-seed-answers"]
seeds = questions.seed_questions()
assert len(seeds) == 12
seeds

# %% [markdown]
# ## 2. Quiz yourself
#
# Twelve questions drawn from the whole course. For a multiple-choice card, pick an answer and press
# **Check answer**: you see whether it was right and why. For a free-recall card, type your answer (or
# just say it out loud), press **Reveal model answer**, compare with the model answer and the key points
# an interviewer listens for, then rate yourself honestly: *Got it*, *Partly* or *Missed*.
#
# Run the cell again for a different draw; `lab.quiz("05_error_handling")` quizzes one module, and
# `lab.quiz(level="advanced", count=5, shuffle=True)` the hard ones.

# %% tags=["proof-quiz"]
quiz = lab.quiz(count=12, shuffle=True)
quiz

# %% [markdown]
# ## 3. Where you stand
#
# This panel follows your answers above as they arrive: your score by topic and by level, and the
# questions you missed or only partly knew, each with a link that opens the lesson that shows the answer
# live, the section it is in, and the first line of that cell (Ctrl+F finds it there).

# %% tags=["proof-scoreboard"]
quiz.scoreboard()

# %% [markdown]
# ## 4. Scenario questions
#
# Interviews rarely ask "what is the limit"; they ask "this broke, walk me through it". These
# questions cut across modules: a p99 regression after a deploy, duplicate emails, a bill that tripled.

# %%
lab.quiz("10_interview_prep")

# %% [markdown]
# ## 5. Mock interview
#
# Six free-recall questions, easy to hard (two basic, two intermediate, two advanced), one at a time.
# Press **Start the clock**: the question appears and a countdown runs (1:30 for a basic question, 3:00
# for an intermediate one, 5:00 for an advanced one). Type your answer as you would say it, then
# **Submit my answer**: it is scored against the key points an interviewer listens for (the checklist
# shows which you hit), and time over the budget lowers its points. The summary lists what to review,
# each with a link to the lesson that shows it live. `lab.mock_interview(6, kinds=("recall", "choice"))`
# mixes in multiple-choice questions.

# %% tags=["proof-mock-interview"]
lab.mock_interview(6)

# %% [markdown]
# ## 6. Keep drilling, in a terminal
#
# `lambda-lab drill` asks the same questions with **spaced repetition** (Leitner boxes): a question you
# miss comes back first next time; one you get right waits a day, then three, seven and twenty-one.
# Progress is kept in your lab folder (`lambda-lab paths`), so it survives restarts, and the answers you
# gave above are already in it.
#
# ```bash
# lambda-lab drill                          # 10 questions, due ones first
# lambda-lab drill --topic cold-starts      # one topic (or --level advanced, --module 05_error_handling)
# lambda-lab drill --mock                   # a timed mock interview in the terminal
# lambda-lab drill --stats                  # where you stand, by topic
# lambda-lab drill --anki lambda.apkg       # the whole bank as an Anki deck
# ```
#
# Your progress by topic so far:

# %%
questions.drill_stats()

# %% [markdown]
# ## Recap
#
# - Answer from the mechanism, not the buzzword: who invokes, who retries, what is billed, which limit
#   applies. Every model answer here is built that way and cites the AWS page it relies on.
# - When a number matters (limits, prices, dates), say where it comes from: several of the seed's
#   numbers were true once and are wrong today.
# - Missed questions link to the lesson cell that shows the answer running; re-run it and watch.
