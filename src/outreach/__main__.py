from outreach.cli import main

# Guarded: multiprocessing re-imports the main module in worker processes.
if __name__ == "__main__":
    main()
