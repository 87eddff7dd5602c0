# GDB set-up for debugging Sigil in QEMU (make debug, then make gdb).
# build/sigil carries the kernel's symbols and DWARF at their link
# addresses, so breakpoints on Go functions and source lines just work once
# the kernel runs in long mode at its upper-half addresses.
set architecture i386:x86-64
set pagination off
set confirm off
# (make gdb allows Go's runtime-gdb.py helpers with -iex, which must run
# before the kernel file is loaded.)
target remote localhost:1234
echo Connected to QEMU. Try: break main.main / break sigil/sys.sysMmap / continue\n
