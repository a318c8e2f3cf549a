"""`python -m jixiao ...` is the `jixiao` command."""
from pipeline import main

if __name__ == "__main__":
    main()
