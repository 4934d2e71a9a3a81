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

Nothing here is imported until used: the network guard reads :mod:`.membership` only.
"""
