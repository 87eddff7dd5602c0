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
# Sigil's own commands (sigil-ps, sigil-signals, sigil-irqs, sigil-frame,
# sigil-dmesg, sigil-maps, sigil-threads): `help sigil-ps` and so on.
source tools/gdb/sigil.py
echo Connected to QEMU. Try: break main.main / continue / sigil-ps / sigil-dmesg / help sigil-signals\n
