from prolotrack.cli.entry import main

main()
