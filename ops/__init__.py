"""The tools beside the program, for a running stack: `make check`, `make inspect`, `make destroy`'s
advice, `make forget-host`, `make up`'s report, `make graph` and `make inventory`. They import the
program's parts (components); nothing there imports them."""
