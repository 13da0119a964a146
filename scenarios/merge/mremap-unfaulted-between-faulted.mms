# The kernel's tools/testing/selftests/mm/merge.c (6.16+), mremap_unfaulted_between_faulted: three five-page areas;
# the third and the second moved far away, the first and the third written (each its own anon_vma, and the third,
# faulted where it was moved, keeps that page offset), the third moved back two areas after the first, then the
# unfaulted second moved between them: it merges with the first, and not with the third (another anon_vma, page
# offsets that do not run on). Observed by growing the first ten pages (one VMA) and the whole fifteen (-EFAULT).
scenario merge-mremap-unfaulted-between-faulted
doc "merge.c: an unfaulted VMA moved between two faulted ones merges with the compatible one only"

process P
P: mmap C 120K PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS
P: mmap A 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+4K
P: mmap B 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+28K
P: mmap D 20K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED C+56K
P: mremap D2 D 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED D+8000K
P: mremap B2 B 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED B+4000K
P: store A 0x78
P: store D2 0x78
P: d = mremap D3 D2 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED A+40K
P: b = mremap B3 B2 20K 20K MREMAP_MAYMOVE|MREMAP_FIXED A+20K
P: m15 = mremap M A 60K 64K 0                  # the fifteen pages are two VMAs: -EFAULT
P: m10 = mremap N A 40K 44K MREMAP_MAYMOVE     # the first ten are one

exists (P:d = -EINVAL \/ P:d = -EFAULT \/ P:b = -EINVAL \/ P:b = -EFAULT \/ P:m15 != -EFAULT \/ P:m10 = -EFAULT)

expect 2.6.19 2.6.23 2.6.27 4.8 4.9 5.7 5.8 5.9 5.11 5.19 6.18 never
known 6.18 forbidden "tools/testing/selftests/mm/merge.c: 'merge.mremap_unfaulted_between_faulted' passes"
