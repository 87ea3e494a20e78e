from talentcluster.cli import main

main()
