from designlint.launch import main

main()
