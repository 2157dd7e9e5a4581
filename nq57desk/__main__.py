import sys

from nq57desk.cli import main

sys.exit(main())
