from mlprod.cli import main

raise SystemExit(main())
