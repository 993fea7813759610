from openlfr.cli import main

if __name__ == "__main__":  # not when a camera worker process starts from here
    main()
