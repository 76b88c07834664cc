from prolotrack.cli.app import main

main()
