"""A room: many learners, one instructor.

* :mod:`.reporting`: join, leave, and the report every check sends once joined.
* :mod:`.collector`: the instructor's endpoint (``lambda-lab room serve``).
* :mod:`.view`: who finished what and where the room is stuck (``lambda-lab room``,
  ``lab.room_view()``).
* :mod:`.hub`: JupyterHub: each learner's server gets its own emulator, port and home.

Learners are strangers (classroom/GUIDE.md, "Threat model"):

* :mod:`.names`: one name per person (case and look-alike folding); learner text without escapes.
* :mod:`.limits`: per-address rate limits, request deadlines and bounded threads for the collector.
* :mod:`.learner_users`: on the hub, a Unix user per learner and a sandbox per server.
* :mod:`.preflight`: ``lambda-lab doctor --instructor``.

What the platform below reads of a room lives there, not here (imports run one way):
the membership and the room's credentials in :mod:`reference_app.lab.accounts`, ``reset``
on a shared emulator (the learner's own resources only) in :mod:`reference_app.lab.own_resources`,
and what changes inside an emulator a room shares (accounts, the signature check at its front
door, learners' functions in bubblewrap) in :mod:`reference_app.lab.emulator_patch` (``room_*``).
"""
