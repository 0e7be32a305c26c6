from tashkent.cli import main

main()
