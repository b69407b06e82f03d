"""Loaded by every Python process the tests start while the suite travels in time.

conftest puts this folder on PYTHONPATH with the clock's offset from the real time, so
a command-line run in a child process reads the same day as the test that started it.
"""

import os

_offset = os.environ.get("STPDESK_TEST_CLOCK_OFFSET")
if _offset:
    import time

    import time_machine

    time_machine.travel(time.time() + float(_offset), tick=True).start()
