"""The tools beside the program, for a running stack: `make check`, `make inspect`, `make destroy`'s
advice and `make forget-host`. They import the program's parts (components); nothing there imports
them."""
