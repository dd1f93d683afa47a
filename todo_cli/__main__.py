import sys

from todo_cli.cli import main

sys.exit(main())
