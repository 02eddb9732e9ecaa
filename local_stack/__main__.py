"""`python -m local_stack --help`"""

import sys

from .cli import main

sys.exit(main())
