from evals.heldout.generate import main

main()
