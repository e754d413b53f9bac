from bootstrap.start import main

main()
