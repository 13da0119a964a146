# A companion to mkdirty's "PTRACE write access" (mkdirty.c, test_ptrace_write) on a file, the setting of
# Dirty COW (kernel-mm.md §3.3, §10 B1): the process maps a file it opened read-only PROT_READ and
# MAP_PRIVATE (VM_MAYWRITE but not VM_WRITE), faults the page-cache page in with a load, and a debugger
# pokes a word with ptrace(PTRACE_POKEDATA) (FOLL_FORCE|FOLL_WRITE). The forced write must go to a private
# anonymous COW copy: the process sees the new word, and the file keeps its old contents.
# The bad outcome is the file changing. It is forbidden under every profile: GUP's write fault copies the
# page, and without a racing thread nothing zaps the copy before GUP follows the pte again. In 4.8, the
# Dirty COW kernel, GUP dropped FOLL_WRITE after the COW fault, so a MADV_DONTNEED from a second thread
# between the fault and the retry would let the retry take the page-cache page read-only and write into
# it; that race needs the explorer and is left to a later scenario.
# Not a selftest row: the oracle has no result for it.
scenario mkdirty-ptrace-write-file
doc "A ptrace poke into a read-only private file mapping must not reach the file"

process P
P: creat F ext4 4K
P: pwrite F 0 0x1                    # the file's contents
P: fsync F                           # clean, on disk
P: open RO F O_RDONLY
P: mmap_file A RO 4K PROT_READ MAP_PRIVATE
P: r1 = load A                       # fault in the page-cache page, read-only
P: r0 = ptrace_poke P A 0x58         # PTRACE_POKEDATA: FOLL_FORCE|FOLL_WRITE COWs the page
P: r2 = load A                       # the process sees its private copy
P: r3 = pread F 0                    # the file

exists (P:r3 != 0x1)

expect 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 forbidden
