"""``python -m console``: serve the operator console on $CONSOLE_HOST:$CONSOLE_PORT."""
from console.app import main

if __name__ == "__main__":
    main()
