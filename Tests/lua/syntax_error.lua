print('this script does not compile'
