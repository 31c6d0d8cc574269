import sys

from stackpick.cli import main

sys.exit(main())
