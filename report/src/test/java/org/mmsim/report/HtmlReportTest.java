package org.mmsim.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.mmsim.explore.Options;
import org.mmsim.explore.Report;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Profiles;
import org.mmsim.kernel.trace.Change;
import org.mmsim.scenario.Checker;
import org.mmsim.scenario.Execution;
import org.mmsim.scenario.Runner;
import org.mmsim.scenario.Scenario;
import org.mmsim.scenario.ScenarioParser;
import org.mmsim.scenario.Step;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

class HtmlReportTest {
    private static final String B2 = B2Text.scenario("The <child>'s pipe & the parent's store", "expect 5.7 allowed\n");

    /** A store that races a fork: the witness needs the store after the fork. */
    private static final String RACE = """
            scenario race
            process P
            P: mmap A 4K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS
            P: store A 0x1
            thread S of P {
              store A 0x2
            }
            thread F of P {
              fork C
            }
            exists ([C:A] = 0x1)
            expect 6.18 sometimes
            """;

    private static String runB2() throws Exception {
        Scenario s = ScenarioParser.parse("b2.mms", B2);
        KernelProfile k = Profiles.byName("5.7");
        return HtmlReport.run(s, k, Runner.run(s, k, true));
    }

    private static Document xml(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(Document d, String xpath) throws Exception {
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, d, XPathConstants.NODESET);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            out.add(n.getTextContent());
        }
        return out;
    }

    @Test
    void timelineHasAColumnPerActorInTheOrderTheyFirstActAndARowPerStep() throws Exception {
        Document d = xml(runB2());
        assertThat(texts(d, "//table[@class='timeline']/tr[1]/th")).containsExactly("step", "P", "C", "kernel");
        assertThat(texts(d, "//table[@class='timeline']/tr[position() > 1]/td[1]"))
                .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9");
        // step 5 is C's vmsplice: in C's column, empty in P's
        assertThat(texts(d, "//table[@class='timeline']/tr[6]/td")).containsExactly("5", "",
                "vmsplice F A 4K= 0x1000", "");
    }

    @Test
    void theStepWhereAnInvariantBrokeIsMarkedAndLinked() throws Exception {
        Document d = xml(runB2());
        assertThat(texts(d, "//table[@class='timeline']/tr[@class='violation']/td[1]")).containsExactly("8");
        assertThat(texts(d, "//ul[@class='violations']/li/a/@href")).containsExactly("#r-s8");
        assertThat(texts(d, "//div[@id='r-s8']/@class")).containsExactly("step violation");
    }

    @Test
    void eachStepShowsThePageTablesPagesAndCountersBeforeAndAfterIt() throws Exception {
        Document d = xml(runB2());
        // step 2, the first store: the pte goes from none to the new page, which the step allocates
        assertThat(texts(d, "//div[@id='r-s2']//table[@class='ptes']/tr[@class='changed']/td"))
                .containsExactly("P (mm 1)", "0x7efffffff000", "none", "pfn 1 P|RW|U|A|D|SD");
        assertThat(texts(d, "//div[@id='r-s2']//table[@class='pages']/tr[2]/th"))
                .containsExactly("pfn", "refcount", "mapcount", "flags", "mapping", "data[0]");
        assertThat(texts(d, "//div[@id='r-s2']//table[@class='pages']/tr[3]/td")).containsExactly("1", "0 \u2192 1",
                "0 \u2192 1", "0 \u2192 uptodate|lru|swapbacked|anon", "0 \u2192 1", "0 \u2192 0xd0");
        assertThat(texts(d, "//div[@id='r-s2']//table[@class='counters']/tr[@class='changed']/td"))
                .containsExactly("P (mm 1)", "MM_ANONPAGES", "0", "1");
        // step 3, the fork: the child's pte, first written here, was none before it; the parent's loses RW
        assertThat(texts(d, "//div[@id='r-s3']//table[@class='ptes']/tr[@class='changed']/td")).containsExactly(
                "P (mm 1)", "0x7efffffff000", "pfn 1 P|RW|U|A|D|SD", "pfn 1 P|U|A|D|SD",
                "C (mm 2)", "0x7efffffff000", "none", "pfn 1 P|U|D|SD");
        // step 7 (the parent's second store) leaves the refcount alone: shown unchanged, without an arrow
        assertThat(texts(d, "//div[@id='r-s7']//table[@class='pages']/tr[3]/td[2]")).containsExactly("2");
        // the teardown frees the page
        assertThat(texts(d, "//div[@id='r-s9']//table[@class='pages']/tr[3]/td[1]")).containsExactly("1 freed");
        // a step that changed nothing has no state tables
        assertThat(texts(d, "//div[@id='r-s4']//table")).isEmpty();
    }

    @Test
    void textFromTheScenarioIsEscaped() throws Exception {
        String html = runB2();
        assertThat(html).contains("The &lt;child&gt;&#39;s pipe &amp; the parent&#39;s store")
                .doesNotContain("<child>");
        assertThat(texts(xml(html), "/html/body/p[1]/text()")).first().asString()
                .isEqualTo("The <child>'s pipe & the parent's store");
    }

    @Test
    void theSameExecutionGivesTheSameBytes() throws Exception {
        assertThat(runB2()).isEqualTo(runB2());
    }

    @Test
    void anExplorationShowsTheVerdictAndEachCounterexampleWithItsSchedule() throws Exception {
        Scenario s = ScenarioParser.parse("race.mms", RACE);
        KernelProfile k = Profiles.byName("6.18");
        Report r = Checker.explore(s, k, Options.defaults());
        Execution witness = Runner.replay(s, k, true, r.witness()).execution();
        List<ExploreReport.Counterexample> cexs = List.of(new ExploreReport.Counterexample("witness",
                "Witness: the condition holds", r.witness(), List.of("S", "F"), "w.sched", witness));
        List<Violation> violations = Checker.violations(s, k, r);
        String html = HtmlReport.explore(s, "6.18", r, Checker.outcome(r), cexs, violations);
        Document d = xml(html);
        assertThat(texts(d, "//h1/span[@class='verdict-sometimes']")).containsExactly("sometimes");
        assertThat(texts(d, "//table[@class='facts']/tr/td[1]")).contains("States", "Executions", "Final states");
        assertThat(texts(d, "//h2[@id='c1']")).containsExactly("Witness: the condition holds");
        assertThat(html).contains("./mmsim replay w.sched");
        assertThat(texts(d, "//div[starts-with(@id, 'c1-s')]/@id")).hasSize(witness.steps().size());
    }

    @Test
    void aJournalThatLeftChangesOutSaysSo() throws Exception {
        Execution e = new Execution(List.of(new Step(1, "P", "store A 1", 1, "0", null, List.of(),
                List.of(new Change.Pte(1, 0x1000, 0, 0x1001), new Change.Omitted(5)))), Map.of(), false, List.of(),
                List.of(), true, Map.of(1, "P"));
        Scenario s = ScenarioParser.parse("b2.mms", B2);
        String html = HtmlReport.run(s, Profiles.byName("6.18"), e);
        assertThat(html).contains("The journal left some changes out");
        assertThat(texts(xml(html), "//div[@id='r-s1']//table[@class='ptes']/tr[@class='changed']/td"))
                .containsExactly("P (mm 1)", "0x1000", "none", "pfn 1 P");
    }
}
