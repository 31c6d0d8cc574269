import sys

from stackpick.launcher import run

sys.exit(run())
