"""``python -m shop_site``: serve the demo shop page on $WEB_HOST:$WEB_PORT."""
from shop_site.app import main

if __name__ == "__main__":
    main()
