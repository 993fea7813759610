from openlfr.cli import main

main()
