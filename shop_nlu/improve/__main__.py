import sys
import warnings

with warnings.catch_warnings(record=True):
    # Importing Rasa (and TensorFlow under it) warns about their own deprecations; the
    # libraries add their own filters while importing, so the warnings are caught, not filtered.
    from shop_nlu.improve.cli import main

sys.exit(main())
