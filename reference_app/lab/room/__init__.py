"""A room: many learners, one instructor.

* :mod:`.membership` (a leaf): the room a learner joined, which is their opt-in for its
  host, and the learner's own account on an emulator others share.
* :mod:`.reporting`: join, leave, and the report every check sends once joined.
* :mod:`.collector`: the instructor's endpoint (``lambda-lab room serve``).
* :mod:`.view`: who finished what and where the room is stuck (``lambda-lab room``,
  ``lab.room_view()``).
* :mod:`.own_resources`: ``reset`` on a shared emulator, the learner's resources only.
* :mod:`.emulator_patch`: what changes inside an emulator a room shares.
* :mod:`.hub`: JupyterHub: each learner's server gets its own emulator, port and home.

Learners are strangers (classroom/GUIDE.md, "Threat model"):

* :mod:`.names`: one name per person (case and look-alike folding); learner text without escapes.
* :mod:`.limits`: per-address rate limits, request deadlines and bounded threads for the collector.
* :mod:`.credentials`: the room's secrets (the instructor's, one account per learner), 0600.
* :mod:`.signatures`: the emulator's front door: signatures verified per account, no request
  naming another learner's account, the internal endpoints for the instructor only.
* :mod:`.sandbox`: learners' functions on a shared emulator run in bubblewrap, as another user.
* :mod:`.learner_users`: on the hub, a Unix user per learner and a sandbox per server.
* :mod:`.preflight`: ``lambda-lab doctor --instructor``.

Nothing here is imported until used: the network guard reads :mod:`.membership` only.
"""
