from tashkent.launch import main

main()
