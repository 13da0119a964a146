package org.mmsim.report;

/** The report tests' scenario: CVE-2020-29374 (kernel-mm.md §10 B2), reachable under 5.7, never under 6.18. */
final class B2Text {
    private B2Text() {}

    /** The program and its condition. */
    private static final String BODY = """
            process P
            P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            P: store A 0xd0
            P: fork C
            C: pipe F
            C: vmsplice F A 4K
            C: munmap A 4K
            P: store A 0xd1
            C: r0 = read F
            exists (C:r0 = 0xd1)
            """;

    /** The scenario {@code b2} with doc line {@code doc} (none if null), then {@code expectations} (lines). */
    static String scenario(String doc, String expectations) {
        return "scenario b2\n" + (doc == null ? "" : "doc \"" + doc + "\"\n") + BODY + expectations;
    }
}
